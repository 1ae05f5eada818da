import { problem } from '@license-activation/contract/problem';
import { table as processTable } from '../platform/dynamodb.js';
import type { Table } from '../platform/dynamodb.js';
import { membershipsOfEmail } from '../data/members.js';
import type { MembershipRecord } from '../data/members.js';
import type { AccountPrincipal, ActingMembership, PersonPrincipal } from './principal.js';
import type { MembershipResolver } from './authentication.js';

/**
 * The memberships a person holds (API.md §7): those of its email once the directory has verified
 * it, and not one another person already holds. Read on every request, so a removed member loses
 * access on the next one.
 */
export async function membershipsHeldBy(table: Table, person: PersonPrincipal): Promise<MembershipRecord[]> {
  if (!person.emailVerified || !person.email) return [];
  const memberships = await membershipsOfEmail(table, person.email);
  return memberships.filter((membership) => membership.personId === undefined || membership.personId === person.id);
}

/**
 * The membership a person acts through: the one `Account-Id` names, or its only one. Several and no
 * header is 400; a header naming an account the person is not a member of, or none at all, is 403.
 */
export async function actingMembership(
  table: Table,
  person: PersonPrincipal,
  accountIdHeader: string | undefined,
): Promise<{ account: AccountPrincipal; membership: ActingMembership }> {
  const held = await membershipsHeldBy(table, person);
  let chosen: MembershipRecord | undefined;
  if (accountIdHeader !== undefined) {
    chosen = held.find((membership) => membership.accountId === accountIdHeader);
    if (!chosen) throw problem('FORBIDDEN', `you are not a member of ${accountIdHeader}`);
  } else if (held.length > 1) {
    throw problem('VALIDATION_FAILED', 'you are a member of several accounts: name one in the Account-Id header', {
      errors: [{ path: 'Account-Id', message: 'required with several memberships' }],
    });
  } else {
    chosen = held[0];
    if (!chosen) throw problem('FORBIDDEN', 'you are not a member of any account');
  }
  return {
    account: { kind: chosen.accountKind, id: chosen.accountId },
    membership: { accountId: chosen.accountId, memberId: chosen.id, role: chosen.role },
  };
}

/** Memberships as the process's table stores them: for the functions whose routes persons call as an account. */
export const storedMemberships: MembershipResolver = (person, accountIdHeader) => actingMembership(processTable(), person, accountIdHeader);
