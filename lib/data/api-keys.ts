import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';

export type AccountKind = 'customer' | 'reseller';

/** The item that maps an API key's hash to its account; written with the account, in one transaction. */
export function apiKeyItem(apiKeyHash: string, accountId: string, kind: AccountKind) {
  return { ...keys.apiKey(apiKeyHash), entity: 'apiKey', accountId, kind };
}

/** The account an API key belongs to, by the key's hash; strongly consistent so a new key works at once. */
export async function findAccountByApiKeyHash(
  table: Table,
  apiKeyHash: string,
): Promise<{ accountId: string; kind: AccountKind } | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.name,
      Key: keys.apiKey(apiKeyHash),
      ProjectionExpression: 'accountId, kind',
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  return { accountId: String(Item.accountId), kind: Item.kind === 'reseller' ? 'reseller' : 'customer' };
}
