import type { Table } from '../platform/dynamodb.js';
import { actorOf } from '../auth/principal.js';
import type { Caller, PersonPrincipal } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Account, AuditEvent, Member, MemberInput, MemberRole, Membership } from '@license-activation/contract/schemas';
import { getAccounts } from '../data/accounts.js';
import { retry, retryOnContention } from '../data/contention.js';
import {
  acceptInvitation as acceptStoredInvitation,
  addMember,
  changeMemberRole as changeStoredRole,
  getMember,
  listMembers,
  maxPendingInvitations,
  membershipOfEmail,
  membershipsOfEmail,
  membershipsOfPerson,
  removeMember,
  toMember,
} from '../data/members.js';
import type { MembershipRecord } from '../data/members.js';
import type { Page } from '../data/pagination.js';
import { newId } from '../ids.js';

export interface PeopleDeps {
  readonly table: Table;
}

/** The invitations a person's email holds: only once the directory verified the email, and at most 20 of them. */
async function invitationsOf(table: Table, person: PersonPrincipal): Promise<MembershipRecord[]> {
  if (!person.emailVerified || !person.email) return [];
  return (await membershipsOfEmail(table, person.email)).filter((membership) => membership.status === 'invited');
}

/**
 * `GET /v1/me`: the person, the memberships it accepted (by its `sub`) and the invitations its
 * verified email holds, each with its account: two Queries and one BatchGetItem, however many
 * accounts named the person's email (an email holds at most 20 invitations).
 */
export async function describePerson(deps: PeopleDeps, person: PersonPrincipal): Promise<{ person: { id: string; email?: string; emailVerified: boolean }; memberships: Membership[] }> {
  const [held, invited] = await Promise.all([membershipsOfPerson(deps.table, person.id), invitationsOf(deps.table, person)]);
  const all = [...held, ...invited];
  const accounts = await getAccounts(deps.table, all.map((membership) => membership.accountId));
  const memberships = all.flatMap((membership): Membership[] => {
    const account = accounts.get(membership.accountId);
    return account ? [{ account, role: membership.role, status: membership.status }] : [];
  });
  return { person: { id: person.id, ...(person.email ? { email: person.email } : {}), emailVerified: person.emailVerified }, memberships };
}

type MemberEventType = 'member.added' | 'member.accepted' | 'member.removed' | 'member.role_changed';

function memberEvent(type: MemberEventType, actor: AuditEvent['actor'], member: MembershipRecord, now: Date, change?: { from: MemberRole; to: MemberRole }): AuditEvent {
  return {
    id: newId('evt', now),
    type,
    createdAt: now.toISOString(),
    actor,
    ...(member.accountKind === 'customer' ? { customerId: member.accountId } : {}),
    data: { accountId: member.accountId, memberId: member.id, email: member.email, role: member.role, status: member.status, ...change },
  };
}

/** The invitation to `accountId` that the person's verified email holds (the route's access verified the email), or 404. */
async function invitationFor(deps: PeopleDeps, person: PersonPrincipal, accountId: string): Promise<MembershipRecord> {
  const invitation = person.email ? await membershipOfEmail(deps.table, person.email, accountId) : undefined;
  if (invitation?.status !== 'invited') throw problem('NOT_FOUND', `no invitation to ${accountId} for ${person.email ?? 'you'}`);
  return invitation;
}

/**
 * `POST /v1/me/invitations/{accountId}/accept`: the membership becomes the person's, by its `sub`,
 * whatever its email becomes; it gives its rights from the next request on.
 */
export async function acceptInvitation(deps: PeopleDeps, person: PersonPrincipal, accountId: string, now: Date): Promise<Membership> {
  const accepted = await retryOnContention(async () => {
    const invitation = await invitationFor(deps, person, accountId);
    const outcome = await acceptStoredInvitation(deps.table, invitation, person.id, [memberEvent('member.accepted', actorOf({ person }), invitation, now)]);
    if (outcome === 'already-member') throw problem('CONFLICT', `you are already a member of ${accountId}`);
    return outcome === 'accepted' ? invitation : retry;
  });
  const account = (await getAccounts(deps.table, [accountId])).get(accountId);
  if (!account) throw new Error(`the account ${accountId} of an accepted invitation is missing`);
  return { account, role: accepted.role, status: 'active' };
}

/** `POST /v1/me/invitations/{accountId}/decline`: the invitation is gone (an owner may invite again). */
export async function declineInvitation(deps: PeopleDeps, person: PersonPrincipal, accountId: string, now: Date): Promise<void> {
  await retryOnContention(async () => {
    const invitation = await invitationFor(deps, person, accountId);
    const outcome = await removeMember(deps.table, invitation, [memberEvent('member.removed', actorOf({ person }), invitation, now)]);
    return outcome === 'removed' ? undefined : retry;
  });
}

/**
 * An account's members, managed by its owners and ops: the routes' access decided who (lib/auth/access.ts,
 * `manageAccount`) and hands each function the account as it read it.
 */
export async function listAccountMembers(deps: PeopleDeps, account: Account, page: { limit: number; cursor?: string }): Promise<Page<Member>> {
  const result = await listMembers(deps.table, account.id, page);
  return { ...result, items: result.items.map(toMember) };
}

/** Invites an email: the invitation gives nothing until the person whose verified email it is accepts it. */
export async function addAccountMember(deps: PeopleDeps, caller: Caller, account: Account, input: MemberInput, now: Date): Promise<Member> {
  const member: MembershipRecord = {
    id: newId('mem', now),
    accountId: account.id,
    accountKind: account.kind,
    email: input.email.toLowerCase(),
    role: input.role,
    status: 'invited',
    createdAt: now.toISOString(),
  };
  const outcome = await retryOnContention(async () => {
    const attempt = await addMember(deps.table, member, [memberEvent('member.added', actorOf(caller), member, now)]);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'email-taken') throw problem('CONFLICT', `${member.email} is already a member of ${account.id}`);
  if (outcome === 'invitations-full') throw problem('CONFLICT', `${member.email} already holds ${maxPendingInvitations} pending invitations`);
  return toMember(member);
}

const lastOwner = () => problem('CONFLICT', 'an account keeps at least one active owner: make another member an owner first');

/**
 * Runs a change to one member as it is now: read, write conditioned on what was read, and again if
 * the member changed meanwhile. 404 when the account has no such member.
 */
function withMember<T>(deps: PeopleDeps, account: Account, memberId: string, change: (member: MembershipRecord) => Promise<T | 'changed' | 'contention'>): Promise<T> {
  return retryOnContention(async () => {
    const member = await getMember(deps.table, account.id, memberId);
    if (!member) throw problem('NOT_FOUND', `no member ${memberId} in ${account.id}`);
    const outcome = await change(member);
    return outcome === 'changed' || outcome === 'contention' ? retry : outcome;
  });
}

/** `PATCH …/members/{memberId}`: a role changed in place; the last active owner is not demoted, however many demotions race. */
export async function changeMemberRole(deps: PeopleDeps, caller: Caller, account: Account, memberId: string, role: MemberRole, now: Date): Promise<Member> {
  return withMember(deps, account, memberId, async (member) => {
    if (member.role === role) return toMember(member);
    const outcome = await changeStoredRole(deps.table, member, role, [memberEvent('member.role_changed', actorOf(caller), member, now, { from: member.role, to: role })]);
    if (outcome === 'last-owner') throw lastOwner();
    return outcome === 'changed-role' ? toMember({ ...member, role }) : outcome;
  });
}

/** `DELETE …/members/{memberId}`: a member removed or an invitation withdrawn; never the last active owner. */
export async function removeAccountMember(deps: PeopleDeps, caller: Caller, account: Account, memberId: string, now: Date): Promise<void> {
  await withMember(deps, account, memberId, async (member) => {
    const outcome = await removeMember(deps.table, member, [memberEvent('member.removed', actorOf(caller), member, now)]);
    if (outcome === 'last-owner') throw lastOwner();
    return outcome === 'removed' ? true : outcome;
  });
}
