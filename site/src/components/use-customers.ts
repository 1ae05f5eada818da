import { api } from '../api/client';
import type { Account } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { byName, fetchAllPages } from '../lists/pages';
import { useLoad } from './use-load';

/** Each acting account's customers, read once per page view of the site and shared by every select on it. */
const customersByAccount = new Map<string, Promise<Account[]>>();

function loadCustomers(accountId: string): Promise<Account[]> {
  let customers = customersByAccount.get(accountId);
  if (!customers) {
    customers = fetchAllPages(async (cursor) => unwrap(await api.GET('/v1/customers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))).then(byName);
    // A failed read is tried again by the next page that asks.
    customers.catch(() => customersByAccount.delete(accountId));
    customersByAccount.set(accountId, customers);
  }
  return customers;
}

/** After a customer is created: the next select reads the list again. */
export function forgetCustomers(): void {
  customersByAccount.clear();
}

/**
 * The customers a page can name: every customer a reseller manages (all pages, by name), or the
 * customer account itself.
 */
export function useCustomers() {
  const { membership } = useSession();
  const accountId = membership?.account.id;
  return useLoad(async (): Promise<Account[]> => {
    if (!membership) return [];
    if (membership.account.kind !== 'reseller') return [membership.account];
    return loadCustomers(membership.account.id);
  }, [accountId]);
}
