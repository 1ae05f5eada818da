import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { SourceCountPartition } from './keys.js';
import type { TransactItem } from './transactions.js';

/** A brake counts each creation twice: by its source address and by that address's network. */
export type SourceCountLabel = 'address' | 'network';

/**
 * Counts one more creation from `source` (an address or a network) on `day` in the brake's
 * partition, refused (a failed condition) once `cap` were counted; the counter disappears with its day.
 * Written inside the transaction of what it counts, so a refused or failed creation counts nothing.
 */
export function sourceCount(table: Table, args: { partition: SourceCountPartition; source: string; day: string; cap: number; expiresAt: Date }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.sourceCount(args.partition, args.source, args.day),
      UpdateExpression: 'ADD counted :one SET entity = :entity, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(counted) OR counted < :cap',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':cap': args.cap, ':entity': args.partition, ':ttl': Math.ceil(args.expiresAt.getTime() / 1000) },
    },
  };
}
