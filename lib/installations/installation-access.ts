import type { Table } from '../platform/dynamodb.js';
import { mayActForCustomer } from '../accounts/customer-access.js';
import type { Caller } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { getInstallation } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';

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
