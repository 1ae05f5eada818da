import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { Account, AuditEvent, Member } from '@license-activation/contract/schemas';
import { eventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { querySlice, querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { labelledTransaction } from './transactions.js';
import type { LabelledItem, TransactItem } from './transactions.js';

/**
 * Memberships (API.md §7). Each is two items written together: under its account (the members
 * list) and under its email (a person's memberships, one strongly consistent Query), the latter
 * also making an email unique per account. Each account's owners are counted in one more item,
 * so that removing the last owner fails its condition however many removals race.
 */

/** A membership as a person holds it: the account's kind travels with it, so acting needs no second read. */
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
    ...(record.personId ? { personId: record.personId } : {}),
    createdAt: record.createdAt,
  };
}

const ownersCount = (table: Table, accountId: string, delta: 1 | -1): TransactItem => ({
  Update: {
    TableName: table.name,
    Key: keys.owners(accountId),
    UpdateExpression: 'SET entity = :entity ADD #count :delta',
    ...(delta < 0 ? { ConditionExpression: '#count > :one' } : {}),
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':entity': 'owners', ':delta': delta, ...(delta < 0 ? { ':one': 1 } : {}) },
  },
});

/** The items that add a membership (for a new account's first owner, in the account's own transaction). */
export function memberPuts(table: Table, member: MembershipRecord): TransactItem[] {
  const item = memberAttributes(member);
  return [
    { Put: { TableName: table.name, Item: { ...keys.membershipOfEmail(member.email, member.accountId), ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: table.name, Item: { ...keys.member(member.accountId, member.id), ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
    ...(member.role === 'owner' ? [ownersCount(table, member.accountId, 1)] : []),
  ];
}

function accountFeedEvents(table: Table, accountId: string, events: readonly AuditEvent[]): LabelledItem<'event'>[] {
  return events.flatMap((event) => eventPuts(table, event, [keys.eventFeed.account(accountId)])).map((item) => ['event', item] as const);
}

export type AddMemberOutcome = 'added' | 'email-taken' | 'contention';

/** Adds a membership to an existing account, with its event. */
export async function addMember(table: Table, member: MembershipRecord, events: readonly AuditEvent[]): Promise<AddMemberOutcome> {
  const [byEmail, byAccount, ...owners] = memberPuts(table, member);
  if (!byEmail || !byAccount) throw new TypeError('memberPuts builds two puts');
  const outcome = await labelledTransaction(table, [
    ['email', byEmail],
    ['member', byAccount],
    ...owners.map((item) => ['owners', item] as const),
    ...accountFeedEvents(table, member.accountId, events),
  ]);
  if (outcome.ok) return 'added';
  return outcome.failed.has('email') ? 'email-taken' : 'contention';
}

export type RemoveMemberOutcome = 'removed' | 'missing' | 'last-owner' | 'contention';

/** Removes a membership (both its items) unless it is the account's last owner. */
export async function removeMember(table: Table, member: MembershipRecord, events: readonly AuditEvent[]): Promise<RemoveMemberOutcome> {
  const exists = { ConditionExpression: 'attribute_exists(pk) AND id = :id', ExpressionAttributeValues: { ':id': member.id } };
  const outcome = await labelledTransaction(table, [
    ['member', { Delete: { TableName: table.name, Key: keys.member(member.accountId, member.id), ...exists } }],
    ['email', { Delete: { TableName: table.name, Key: keys.membershipOfEmail(member.email, member.accountId), ...exists } }],
    ...(member.role === 'owner' ? [['owners', ownersCount(table, member.accountId, -1)] as const] : []),
    ...accountFeedEvents(table, member.accountId, events),
  ]);
  if (outcome.ok) return 'removed';
  if (outcome.failed.has('member') || outcome.failed.has('email')) return 'missing';
  if (outcome.failed.has('owners')) return 'last-owner';
  return 'contention';
}

export async function getMember(table: Table, accountId: string, memberId: string): Promise<MembershipRecord | undefined> {
  if (!isStorableId(accountId) || !isStorableId(memberId)) return undefined;
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.member(accountId, memberId), ConsistentRead: true }));
  return Item ? toMembership(Item) : undefined;
}

export async function listMembers(table: Table, accountId: string, page: { limit: number; cursor?: string }): Promise<Page<MembershipRecord>> {
  const result = await querySlicePage(table, { partition: keys.account(accountId).pk, prefix: keys.memberPrefix }, page);
  return { ...result, items: result.items.map(toMembership) };
}

/** Every membership of an email (a person holds a handful; one page of a Query, read to its end). */
export async function membershipsOfEmail(table: Table, email: string): Promise<MembershipRecord[]> {
  return (await querySlice(table, { partition: keys.membershipsOfEmail(email) })).map(toMembership);
}

/** Records which person holds a membership, once: both items, only where nobody holds it yet. */
export async function bindMember(table: Table, member: MembershipRecord, personId: string): Promise<boolean> {
  const set = {
    UpdateExpression: 'SET personId = :person',
    ConditionExpression: 'attribute_exists(pk) AND id = :id AND attribute_not_exists(personId)',
    ExpressionAttributeValues: { ':person': personId, ':id': member.id },
  };
  const outcome = await labelledTransaction(table, [
    ['member', { Update: { TableName: table.name, Key: keys.member(member.accountId, member.id), ...set } }],
    ['email', { Update: { TableName: table.name, Key: keys.membershipOfEmail(member.email, member.accountId), ...set } }],
  ]);
  return outcome.ok;
}
