import type { Table } from '../platform/dynamodb.js';
import type { AccountPrincipal } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { accountIsKind } from '../data/account-items.js';
import { getAccount } from '../data/accounts.js';
import { associationStillExists, isAssociated } from '../data/associations.js';
import type { TransactItem } from '../data/transactions.js';

const notFound = (customerId: string) => problem('NOT_FOUND', `no customer ${customerId}`);

/**
 * Whether an account may see and act for a customer: ops always (if the customer exists), a customer
 * only for itself, a reseller only while associated. Anything else is 404, so ids cannot be probed.
 */
export async function mayActForCustomer(table: Table, account: AccountPrincipal, customerId: string): Promise<boolean> {
  switch (account.kind) {
    case 'customer':
      return account.id === customerId;
    case 'reseller':
      return isAssociated(table, account.id, customerId);
    case 'ops':
      return (await getAccount(table, customerId))?.kind === 'customer';
  }
}

export async function assertMayActForCustomer(table: Table, account: AccountPrincipal, customerId: string): Promise<void> {
  if (!(await mayActForCustomer(table, account, customerId))) throw notFound(customerId);
}

/**
 * The transaction item that keeps a write honest if access changes meanwhile: a reseller's association
 * must still exist; for ops and customers, the customer account must exist.
 */
export function customerAccessGuard(table: Table, account: AccountPrincipal, customerId: string): TransactItem {
  if (account.kind === 'reseller') return associationStillExists(table, account.id, customerId);
  return accountIsKind(table, customerId, 'customer');
}
