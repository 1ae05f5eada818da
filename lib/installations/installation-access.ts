import type { Table } from '../platform/dynamodb.js';
import { mayActForCustomer } from '../accounts/customer-access.js';
import type { Caller } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { getInstallation } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';

/**
 * An installation as its caller may see it: the installation itself (by its proof), ops, its customer,
 * or a reseller managing that customer. Anyone else gets 404, as if it did not exist.
 */
export async function visibleInstallation(table: Table, caller: Caller, installationId: string): Promise<InstallationRecord> {
  const installation = await getInstallation(table, installationId);
  const visible =
    installation !== undefined &&
    (caller.installation
      ? caller.installation.id === installation.id
      : caller.account !== undefined &&
        (caller.account.kind === 'ops' ||
          (installation.customerId !== undefined && (await mayActForCustomer(table, caller.account, installation.customerId)))));
  if (!visible) throw problem('NOT_FOUND', `no installation ${installationId}`);
  return installation;
}

/** What an account may do to a copy of an installation (API.md §10), beyond seeing it. */
export type CloneAction = 'restore' | 'clear-clone';

/**
 * Section 10's access rules, decided in one place, for an installation the caller may see
 * (`visibleInstallation`; anyone else has had 404): an owner's restore (`POST …/restore`) is for
 * whoever sees it through an account — ops, its customer, a reseller managing that customer, a person
 * through either; clearing a detected clone is for ops and a reseller that issued one of the licenses
 * the installation holds (or a person through that reseller), never for its customer, which would
 * otherwise clear its own detection (the route refuses customers already: 403).
 */
export function mayActOnCopies(caller: Caller, action: CloneAction, holding: readonly Pick<LicenseRecord, 'issuedBy'>[]): boolean {
  const account = caller.account;
  if (account === undefined) return false;
  if (action === 'restore' || account.kind === 'ops') return true;
  return account.kind === 'reseller' && holding.some((license) => license.issuedBy === account.id);
}
