import { problem } from '@license-activation/contract/problem';
import { table as processTable } from '../platform/dynamodb.js';
import type { Table } from '../platform/dynamodb.js';
import { membershipsOfPerson } from '../data/members.js';
import type { MembershipRecord } from '../data/members.js';
import type { AccountPrincipal, ActingMembership, PersonPrincipal } from './principal.js';
import type { MembershipResolver } from './authentication.js';

/**
 * The membership a person acts through (API.md §7): the one `Account-Id` names, or its only one.
 * Only accepted memberships count, found by the person's `sub` (whatever their email became), read
 * on every request so that a removed member loses access on the next one; invitations give nothing.
 * Several and no header is 400; a header naming an account the person holds no membership of, or
 * none at all, is 403.
 */
export async function actingMembership(
  table: Table,
  person: PersonPrincipal,
  accountIdHeader: string | undefined,
): Promise<{ account: AccountPrincipal; membership: ActingMembership }> {
  const held = await membershipsOfPerson(table, person.id);
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
