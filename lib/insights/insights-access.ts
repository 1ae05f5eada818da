import type { Table } from '../platform/dynamodb.js';
import { assertMayActForCustomer } from '../accounts/customer-access.js';
import type { AccountPrincipal, Caller } from '../auth/principal.js';
import { customerScope, resellerScope, vendorScope } from '../data/insights.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { visibleInstallation } from '../installations/installation-access.js';
import { visibleLicense } from '../licenses/license-access.js';

/**
 * Who may read which usage history and insights (API.md §11), in one place: whoever may read the
 * license or the installation; and a scope per account, narrowed to a customer the account may see.
 * Anything else is 404, whether or not it exists.
 */

export const licenseForUsage = (table: Table, account: AccountPrincipal, licenseId: string): Promise<LicenseRecord> => visibleLicense(table, account, licenseId);

export const installationForUsage = (table: Table, caller: Caller, installationId: string): Promise<InstallationRecord> => visibleInstallation(table, caller, installationId);

/** The scope an account reads: its own (ops: the vendor's), or the one customer named. */
export async function insightsScopeFor(table: Table, account: AccountPrincipal, customerId: string | undefined): Promise<{ scope: string; vendor: boolean }> {
  if (customerId !== undefined) {
    await assertMayActForCustomer(table, account, customerId);
    return { scope: customerScope(customerId), vendor: false };
  }
  switch (account.kind) {
    case 'ops':
      return { scope: vendorScope, vendor: true };
    case 'reseller':
      return { scope: resellerScope(account.id), vendor: false };
    case 'customer':
      return { scope: customerScope(account.id), vendor: false };
  }
}
