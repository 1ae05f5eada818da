import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { backoff, retryAttempts } from './contention.js';

type ItemKey = { readonly pk: string; readonly sk: string };

/** The most keys one BatchGetItem takes. */
const batchLimit = 100;

/**
 * Items by key in one BatchGetItem (strongly consistent) per 100 keys, retrying what DynamoDB leaves
 * unprocessed.
 */
export async function batchGet(table: Table, itemKeys: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
  if (itemKeys.length <= batchLimit) return batchGetAtMost100(table, itemKeys);
  const found = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < itemKeys.length; start += batchLimit) {
    for (const [key, item] of await batchGetAtMost100(table, itemKeys.slice(start, start + batchLimit))) found.set(key, item);
  }
  return found;
}

async function batchGetAtMost100(table: Table, itemKeys: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] = [...itemKeys];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round === retryAttempts) throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
    if (round > 0) await backoff(round);
    const result = await table.client.send(
      new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[table.name] ?? []) found.set(mapKey({ pk: String(item.pk), sk: String(item.sk) }), item);
    pending = result.UnprocessedKeys?.[table.name]?.Keys ?? [];
  }
  return found;
}

/** The key `batchGet`'s map files an item under. */
export const mapKey = (key: ItemKey) => `${key.pk}|${key.sk}`;
