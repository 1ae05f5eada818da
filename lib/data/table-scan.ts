import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { backoff, retryAttempts } from './contention.js';

/**
 * The whole table, for maintenance scripts only (`npm run insights:rebuild`): no function is granted
 * Scan or BatchWriteItem on other items than its own, and none calls these.
 */

/** Hands every item of the table to `onItem`, page after page (strongly consistent). */
export async function scanTable(table: Table, onItem: (item: Record<string, unknown>) => void): Promise<void> {
  let after: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.name, ConsistentRead: true, ...(after ? { ExclusiveStartKey: after } : {}) }));
    for (const item of page.Items ?? []) onItem(item);
    after = page.LastEvaluatedKey;
  } while (after);
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** Puts and deletes items 25 at a time, retrying what DynamoDB leaves unprocessed. */
export async function writeItems(table: Table, writes: { puts?: readonly Record<string, unknown>[]; deletes?: readonly { pk: string; sk: string }[] }): Promise<void> {
  const requests: WriteRequest[] = [
    ...(writes.deletes ?? []).map((key): WriteRequest => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } })),
    ...(writes.puts ?? []).map((item): WriteRequest => ({ PutRequest: { Item: item } })),
  ];
  for (let start = 0; start < requests.length; start += 25) {
    let pending = requests.slice(start, start + 25);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === retryAttempts) throw Object.assign(new Error('BatchWriteItem left items unprocessed'), { name: 'ThrottlingException' });
      if (round > 0) await backoff(round);
      const result = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: pending } }));
      pending = (result.UnprocessedItems?.[table.name] ?? []) as WriteRequest[];
    }
  }
}
