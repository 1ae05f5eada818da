import type { Table } from '../platform/dynamodb.js';
import { mayActForCustomer } from '../accounts/customer-access.js';
import type { AccountPrincipal } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { getLicense } from '../data/licenses.js';
import type { LicenseRecord } from '../data/licenses.js';

/** Whether an account may see a license: ops always, its customer, and the customer's resellers. */
export async function maySeeLicense(table: Table, account: AccountPrincipal, license: LicenseRecord): Promise<boolean> {
  return account.kind === 'ops' || mayActForCustomer(table, account, license.customerId);
}

/** The license, if the account may see it; otherwise 404 whether or not it exists. */
export async function visibleLicense(table: Table, account: AccountPrincipal, licenseId: string): Promise<LicenseRecord> {
  const license = await getLicense(table, licenseId);
  if (!license || !(await maySeeLicense(table, account, license))) throw problem('NOT_FOUND', `no license ${licenseId}`);
  return license;
}
