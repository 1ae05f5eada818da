import type { Account } from '@license-activation/contract/schemas';

/** An account as stored (in its own item, or copied into an association) back to its contract shape. */
export function toAccount(item: Record<string, unknown>): Account {
  return {
    id: String(item.id),
    kind: item.kind === 'reseller' ? 'reseller' : 'customer',
    name: String(item.name),
    email: String(item.email),
    createdAt: String(item.createdAt),
  };
}
