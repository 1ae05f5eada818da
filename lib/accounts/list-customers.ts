import type { Table } from '../platform/dynamodb.js';
import type { AccountPrincipal } from '../auth/principal.js';
import type { Account, ListQuery } from '@license-activation/contract/schemas';
import { listAccountsOfKind } from '../data/accounts.js';
import { listCustomersOfReseller } from '../data/associations.js';
import type { Page } from '../data/pagination.js';

/** `GET /v1/customers`: a reseller's associated customers; for ops, every customer. */
export function listCustomers(deps: { table: Table }, account: AccountPrincipal, query: ListQuery): Promise<Page<Account>> {
  const page = { limit: query.limit, cursor: query.cursor };
  return account.kind === 'reseller'
    ? listCustomersOfReseller(deps.table, account.id, page)
    : listAccountsOfKind(deps.table, 'customer', page);
}
