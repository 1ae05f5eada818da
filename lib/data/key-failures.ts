import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';

/**
 * Replaces an installation's list of recent failed key activations, provided nobody changed it since
 * it was read (same length); the item expires with its window. Returns false when a concurrent
 * failure changed the list first.
 */
export async function saveKeyFailures(
  table: Table,
  args: { installationId: string; read: readonly number[]; next: readonly number[]; expiresAt: Date },
): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.keyFailures(args.installationId),
        UpdateExpression: 'SET failures = :next, #ttl = :ttl, entity = :entity',
        ConditionExpression: args.read.length === 0 ? 'attribute_not_exists(failures) OR size(failures) = :size' : 'size(failures) = :size',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':next': [...args.next],
          ':ttl': Math.ceil(args.expiresAt.getTime() / 1000),
          ':entity': 'keyFailures',
          ':size': args.read.length,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
