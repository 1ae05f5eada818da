import { api } from '../api/client';
import type { Account } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { useLoad } from './use-load';

/**
 * The customers a page can name: a reseller's associated customers (first 100, by name), or the
 * customer account itself.
 */
export function useCustomers() {
  const { membership } = useSession();
  const accountId = membership?.account.id;
  return useLoad(async (): Promise<Account[]> => {
    if (!membership) return [];
    if (membership.account.kind !== 'reseller') return [membership.account];
    const page = unwrap(await api.GET('/v1/customers', { params: { query: { limit: 100 } } }));
    return [...page.items].sort((a, b) => a.name.localeCompare(b.name));
  }, [accountId]);
}
