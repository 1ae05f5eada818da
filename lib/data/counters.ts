import type { Table } from '../platform/dynamodb.js';
import type { TransactItem } from './transactions.js';

/**
 * A count kept in an item of its own, changed in the same transaction as what it counts, so that no
 * race takes it past its bound: up only while below `max`, down only while above `min` (the last
 * active owner stays). Unbounded changes always apply. The item is made on its first change.
 */
export function counterChange(
  table: Table,
  counter: { readonly key: { pk: string; sk: string }; readonly entity: string; readonly attribute: string },
  delta: 1 | -1,
  bound: { readonly max?: number; readonly min?: number } = {},
): TransactItem {
  const limit = delta > 0 ? bound.max : bound.min;
  const condition = delta > 0 ? 'attribute_not_exists(#count) OR #count < :limit' : '#count > :limit';
  return {
    Update: {
      TableName: table.name,
      Key: counter.key,
      UpdateExpression: 'SET entity = :entity ADD #count :delta',
      ...(limit === undefined ? {} : { ConditionExpression: condition }),
      ExpressionAttributeNames: { '#count': counter.attribute },
      ExpressionAttributeValues: { ':entity': counter.entity, ':delta': delta, ...(limit === undefined ? {} : { ':limit': limit }) },
    },
  };
}
