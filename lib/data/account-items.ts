import type { Account } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

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

/** Holds while the account exists and is of `kind`: a write that relies on it commits only then. */
export function accountIsKind(table: Table, accountId: string, kind: Account['kind']): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: keys.account(accountId),
      ConditionExpression: 'kind = :kind',
      ExpressionAttributeValues: { ':kind': kind },
    },
  };
}
