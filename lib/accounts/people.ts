import type { Table } from '../platform/dynamodb.js';
import { membershipsHeldBy } from '../auth/person-memberships.js';
import type { Caller, PersonPrincipal } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Account, AuditEvent, Member, MemberInput, Membership } from '@license-activation/contract/schemas';
import { getAccount } from '../data/accounts.js';
import { retry, retryOnContention } from '../data/contention.js';
import { addMember, bindMember, getMember, listMembers, removeMember, toMember } from '../data/members.js';
import type { MembershipRecord } from '../data/members.js';
import type { Page } from '../data/pagination.js';
import { newId } from '../ids.js';

export interface PeopleDeps {
  readonly table: Table;
}

/** A few requests at a time: a person with many memberships must not flood the table. */
async function inBatches<T, R>(items: readonly T[], each: (item: T) => Promise<R>, size = 10): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(each))));
  return results;
}

/**
 * `GET /v1/me`: the person and the memberships it holds, each with its account. A membership held
 * for the first time is recorded as this person's (`personId`), so no other person can take it.
 */
export async function describePerson(deps: PeopleDeps, person: PersonPrincipal): Promise<{ person: { id: string; email?: string; emailVerified: boolean }; memberships: Membership[] }> {
  const held = await membershipsHeldBy(deps.table, person);
  const unbound = held.filter((membership) => membership.personId === undefined);
  const bound = await inBatches(unbound, (membership) => bindMember(deps.table, membership, person.id));
  // One a concurrent request of another person bound first (a changed email) is no longer ours.
  const lost = new Set(unbound.filter((_, index) => !bound[index]).map((membership) => membership.id));
  const ours = lost.size === 0 ? held : (await membershipsHeldBy(deps.table, person)).filter((membership) => !lost.has(membership.id) || membership.personId === person.id);
  const accounts = await inBatches(ours, (membership) => getAccount(deps.table, membership.accountId));
  const memberships = ours.flatMap((membership, index) => {
    const account = accounts[index];
    return account ? [{ account, role: membership.role }] : [];
  });
  return { person: { id: person.id, ...(person.email ? { email: person.email } : {}), emailVerified: person.emailVerified }, memberships };
}

function memberEvent(type: 'member.added' | 'member.removed', caller: Caller, account: Account, member: MembershipRecord, now: Date): AuditEvent {
  const actor = caller.account?.kind === 'ops' ? { kind: 'ops' as const, id: 'ops' } : { kind: 'person' as const, id: caller.person?.id ?? 'anonymous' };
  return {
    id: newId('evt', now),
    type,
    createdAt: now.toISOString(),
    actor,
    ...(account.kind === 'customer' ? { customerId: account.id } : {}),
    data: { accountId: account.id, memberId: member.id, email: member.email, role: member.role },
  };
}

/**
 * An account's members, managed by its owners and ops: the routes' access decided who (lib/auth/access.ts,
 * `manageAccount`) and hands each function the account as it read it.
 */
export async function listAccountMembers(deps: PeopleDeps, account: Account, page: { limit: number; cursor?: string }): Promise<Page<Member>> {
  const result = await listMembers(deps.table, account.id, page);
  return { ...result, items: result.items.map(toMember) };
}

export async function addAccountMember(deps: PeopleDeps, caller: Caller, account: Account, input: MemberInput, now: Date): Promise<Member> {
  const member: MembershipRecord = {
    id: newId('mem', now),
    accountId: account.id,
    accountKind: account.kind,
    email: input.email.toLowerCase(),
    role: input.role,
    createdAt: now.toISOString(),
  };
  const outcome = await retryOnContention(async () => {
    const attempt = await addMember(deps.table, member, [memberEvent('member.added', caller, account, member, now)]);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'email-taken') throw problem('CONFLICT', `${member.email} is already a member of ${account.id}`);
  return toMember(member);
}

export async function removeAccountMember(deps: PeopleDeps, caller: Caller, account: Account, memberId: string, now: Date): Promise<void> {
  const outcome = await retryOnContention(async () => {
    const member = await getMember(deps.table, account.id, memberId);
    if (!member) return 'missing' as const;
    const attempt = await removeMember(deps.table, member, [memberEvent('member.removed', caller, account, member, now)]);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'missing') throw problem('NOT_FOUND', `no member ${memberId} in ${account.id}`);
  if (outcome === 'last-owner') throw problem('CONFLICT', 'an account keeps at least one owner: add another before removing this one');
}
