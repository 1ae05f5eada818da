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
