import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { Account, AuditEvent, Member, MemberRole } from '@license-activation/contract/schemas';
import { counterChange } from './counters.js';
import { accountEventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { querySlice, querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { labelledTransaction } from './transactions.js';
import type { LabelledItem, TransactItem } from './transactions.js';

/**
 * Memberships (API.md §7). A membership starts as an invitation of an email and becomes a person's
 * (`status: "active"`, `personId`) only when the person whose verified email it is accepts it. Its
 * items are written together: under its account (the members list), under its email (one membership
 * per account and email, and an email's invitations in one Query) and, once accepted, under its
 * person (what the person acts through, whatever their email becomes). Two counters keep the rules
 * that races must not break, each changed in the same transaction as the membership: an email's
 * pending invitations (at most 20) and an account's active owners (the last one stays).
 */

/** The most invitations an email holds at once: naming a stranger's email costs the stranger nothing past it. */
export const maxPendingInvitations = 20;

/** A membership as stored: the account's kind travels with it, so acting needs no second read. */
export interface MembershipRecord extends Member {
  readonly accountKind: Account['kind'];
}

function memberAttributes(member: MembershipRecord) {
  return { entity: 'member', ...member };
}

function toMembership(item: Record<string, unknown>): MembershipRecord {
  return {
    id: String(item.id),
    accountId: String(item.accountId),
    accountKind: item.accountKind === 'reseller' ? 'reseller' : 'customer',
    email: String(item.email),
    role: item.role === 'owner' ? 'owner' : 'member',
    status: item.status === 'active' ? 'active' : 'invited',
    ...(typeof item.personId === 'string' ? { personId: item.personId } : {}),
    createdAt: String(item.createdAt),
  };
}

export function toMember(record: MembershipRecord): Member {
  return {
    id: record.id,
    accountId: record.accountId,
    email: record.email,
    role: record.role,
    status: record.status,
    ...(record.personId ? { personId: record.personId } : {}),
    createdAt: record.createdAt,
  };
}

type MemberLabel = 'member' | 'email' | 'person' | 'owners' | 'invitations' | 'event';

/** An account's active owners, up or down; down only while another stays. */
function ownersChange(table: Table, accountId: string, delta: 1 | -1): LabelledItem<'owners'> {
  return ['owners', counterChange(table, { key: keys.owners(accountId), entity: 'owners', attribute: 'count' }, delta, { min: 1 })];
}

/** An email's pending invitations, up (only below the cap) or down. */
function invitationsChange(table: Table, email: string, delta: 1 | -1): LabelledItem<'invitations'> {
  return ['invitations', counterChange(table, { key: keys.invitationsOfEmail(email), entity: 'invitations', attribute: 'pending' }, delta, { max: maxPendingInvitations })];
}

/** The keys of a membership's items: under its account, its email and, once accepted, its person. */
function itemKeys(member: MembershipRecord) {
  return {
    member: keys.member(member.accountId, member.id),
    email: keys.membershipOfEmail(member.email, member.accountId),
    person: member.personId === undefined ? undefined : keys.membershipOfPerson(member.personId, member.accountId),
  };
}

/** Each item of the membership as `member` read it: unchanged since, or the write fails and is tried again. */
function asRead(member: MembershipRecord) {
  return {
    ConditionExpression: 'id = :id AND #status = :status AND #role = :role',
    ExpressionAttributeNames: { '#status': 'status', '#role': 'role' },
    ExpressionAttributeValues: { ':id': member.id, ':status': member.status, ':role': member.role },
  };
}

/**
 * The items that add a membership: an invitation counts against its email's pending invitations; an
 * active one (the person who registers an account) is its person's at once, and an owner counts.
 */
export function memberPuts(table: Table, member: MembershipRecord): LabelledItem<MemberLabel>[] {
  const item = memberAttributes(member);
  const at = itemKeys(member);
  const put = (key: { pk: string; sk: string }): TransactItem => ({ Put: { TableName: table.name, Item: { ...key, ...item }, ConditionExpression: 'attribute_not_exists(pk)' } });
  return [
    ['email', put(at.email)],
    ['member', put(at.member)],
    ...(member.status === 'invited' ? [invitationsChange(table, member.email, 1)] : []),
    ...(member.status === 'active' && at.person ? [['person', put(at.person)] as const] : []),
    ...(member.status === 'active' && member.role === 'owner' ? [ownersChange(table, member.accountId, 1)] : []),
  ];
}

export type AddMemberOutcome = 'added' | 'email-taken' | 'invitations-full' | 'contention';

/** Invites an email to an existing account, with its event. */
export async function addMember(table: Table, member: MembershipRecord, events: readonly AuditEvent[]): Promise<AddMemberOutcome> {
  const outcome = await labelledTransaction(table, [...memberPuts(table, member), ...accountEventPuts(table, member.accountId, events)]);
  if (outcome.ok) return 'added';
  if (outcome.failed.has('email')) return 'email-taken';
  if (outcome.failed.has('invitations')) return 'invitations-full';
  return 'contention';
}

export type AcceptOutcome = 'accepted' | 'changed' | 'already-member' | 'contention';

/** An invitation accepted: the membership becomes the person's, under its person too, and an owner counts. */
export async function acceptInvitation(table: Table, invitation: MembershipRecord, personId: string, events: readonly AuditEvent[]): Promise<AcceptOutcome> {
  const accepted: MembershipRecord = { ...invitation, status: 'active', personId };
  const at = itemKeys(accepted);
  const condition = asRead(invitation);
  const activate = (key: { pk: string; sk: string }): TransactItem => ({
    Update: {
      TableName: table.name,
      Key: key,
      UpdateExpression: 'SET #status = :active, personId = :person',
      ...condition,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':active': 'active', ':person': personId },
    },
  });
  const outcome = await labelledTransaction<MemberLabel>(table, [
    ['member', activate(at.member)],
    ['email', activate(at.email)],
    ['person', { Put: { TableName: table.name, Item: { ...keys.membershipOfPerson(personId, invitation.accountId), ...memberAttributes(accepted) }, ConditionExpression: 'attribute_not_exists(pk)' } }],
    invitationsChange(table, invitation.email, -1),
    ...(invitation.role === 'owner' ? [ownersChange(table, invitation.accountId, 1)] : []),
    ...accountEventPuts(table, invitation.accountId, events),
  ]);
  if (outcome.ok) return 'accepted';
  if (outcome.failed.has('member') || outcome.failed.has('email')) return 'changed';
  if (outcome.failed.has('person')) return 'already-member';
  return 'contention';
}

export type RemoveMemberOutcome = 'removed' | 'changed' | 'last-owner' | 'contention';

/**
 * Removes a membership as read (a removal, a declined or withdrawn invitation): all its items; an
 * invitation gives its email's count back, an active owner leaves only while another stays.
 */
export async function removeMember(table: Table, member: MembershipRecord, events: readonly AuditEvent[]): Promise<RemoveMemberOutcome> {
  const at = itemKeys(member);
  const remove = (key: { pk: string; sk: string }): TransactItem => ({ Delete: { TableName: table.name, Key: key, ...asRead(member) } });
  const outcome = await labelledTransaction<MemberLabel>(table, [
    ['member', remove(at.member)],
    ['email', remove(at.email)],
    ...(member.status === 'active' && at.person ? [['person', remove(at.person)] as const] : []),
    ...(member.status === 'invited' ? [invitationsChange(table, member.email, -1)] : []),
    ...(member.status === 'active' && member.role === 'owner' ? [ownersChange(table, member.accountId, -1)] : []),
    ...accountEventPuts(table, member.accountId, events),
  ]);
  if (outcome.ok) return 'removed';
  if (outcome.failed.has('member') || outcome.failed.has('email') || outcome.failed.has('person')) return 'changed';
  if (outcome.failed.has('owners')) return 'last-owner';
  return 'contention';
}

export type ChangeRoleOutcome = 'changed-role' | 'changed' | 'last-owner' | 'contention';

/** A role changed in place on every item of the membership; an active owner demoted only while another stays. */
export async function changeMemberRole(table: Table, member: MembershipRecord, role: MemberRole, events: readonly AuditEvent[]): Promise<ChangeRoleOutcome> {
  const at = itemKeys(member);
  const condition = asRead(member);
  const setRole = (key: { pk: string; sk: string }): TransactItem => ({
    Update: {
      TableName: table.name,
      Key: key,
      UpdateExpression: 'SET #role = :to',
      ...condition,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':to': role },
    },
  });
  const counts = member.status === 'active' && role !== member.role;
  const outcome = await labelledTransaction<MemberLabel>(table, [
    ['member', setRole(at.member)],
    ['email', setRole(at.email)],
    ...(member.status === 'active' && at.person ? [['person', setRole(at.person)] as const] : []),
    ...(counts ? [ownersChange(table, member.accountId, role === 'owner' ? 1 : -1)] : []),
    ...accountEventPuts(table, member.accountId, events),
  ]);
  if (outcome.ok) return 'changed-role';
  if (outcome.failed.has('member') || outcome.failed.has('email') || outcome.failed.has('person')) return 'changed';
  if (outcome.failed.has('owners')) return 'last-owner';
  return 'contention';
}

async function getMembership(table: Table, key: { pk: string; sk: string }): Promise<MembershipRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }));
  return Item ? toMembership(Item) : undefined;
}

export function getMember(table: Table, accountId: string, memberId: string): Promise<MembershipRecord | undefined> {
  if (!isStorableId(accountId) || !isStorableId(memberId)) return Promise.resolve(undefined);
  return getMembership(table, keys.member(accountId, memberId));
}

/** The membership of an account under an email (an invitation, or one accepted under that email). */
export function membershipOfEmail(table: Table, email: string, accountId: string): Promise<MembershipRecord | undefined> {
  if (!isStorableId(accountId)) return Promise.resolve(undefined);
  return getMembership(table, keys.membershipOfEmail(email, accountId));
}

/** The membership of an account a person accepted, if any. */
export function membershipOfPerson(table: Table, personId: string, accountId: string): Promise<MembershipRecord | undefined> {
  if (!isStorableId(accountId)) return Promise.resolve(undefined);
  return getMembership(table, keys.membershipOfPerson(personId, accountId));
}

/** How many invitations an email holds now. */
export async function pendingInvitationsOf(table: Table, email: string): Promise<number> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.invitationsOfEmail(email), ConsistentRead: true }));
  return typeof Item?.pending === 'number' ? Item.pending : 0;
}

export async function listMembers(table: Table, accountId: string, page: { limit: number; cursor?: string }): Promise<Page<MembershipRecord>> {
  const result = await querySlicePage(table, { partition: keys.account(accountId).pk, prefix: keys.memberPrefix }, page);
  return { ...result, items: result.items.map(toMembership) };
}

/** Every membership under an email: at most 20 invitations, and those accepted under it (one page of a Query, read to its end). */
export async function membershipsOfEmail(table: Table, email: string): Promise<MembershipRecord[]> {
  return (await querySlice(table, { partition: keys.membershipsOfEmail(email), prefix: keys.membershipPrefix })).map(toMembership);
}

/** The memberships a person accepted: what it may act through. */
export async function membershipsOfPerson(table: Table, personId: string): Promise<MembershipRecord[]> {
  return (await querySlice(table, { partition: keys.membershipsOfPerson(personId), prefix: keys.membershipPrefix })).map(toMembership);
}
