import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

/** Claims a fingerprint's one trial of a product for an installation (the same installation may claim it again). */
export function trialFingerprintPut(table: Table, args: { productId: string; fingerprintHash: string; installationId: string; startedAt: string }): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.trialFingerprint(args.productId, args.fingerprintHash), entity: 'trialFingerprint', ...args },
      ConditionExpression: 'attribute_not_exists(pk) OR installationId = :installation',
      ExpressionAttributeValues: { ':installation': args.installationId },
    },
  };
}

/**
 * Counts one more trial from `source` (an address or a network) on `day`, refused (a failed condition)
 * once `cap` were started; the counter disappears with its day.
 */
export function trialSourceCount(table: Table, args: { source: string; day: string; cap: number; expiresAt: Date }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.trialSource(args.source, args.day),
      UpdateExpression: 'ADD trials :one SET entity = :entity, #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(trials) OR trials < :cap',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':cap': args.cap, ':entity': 'trialSource', ':ttl': Math.ceil(args.expiresAt.getTime() / 1000) },
    },
  };
}
