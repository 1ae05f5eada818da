import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

/**
 * What an issuance with an `Idempotency-Key` leaves behind for 24 hours: the hash of the request, the
 * license it created, and the license key sealed by the secret box (never in clear).
 */
export interface IdempotencyRecord {
  readonly callerId: string;
  readonly keyHash: string;
  readonly requestHash: string;
  readonly licenseId: string;
  readonly sealedKey: string;
  readonly expiresAt: string;
}

/** The record under a caller's idempotency key, unless absent or past its window. */
export async function getIdempotencyRecord(table: Table, callerId: string, keyHash: string, now: Date): Promise<IdempotencyRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.idempotency(callerId, keyHash), ConsistentRead: true }),
  );
  if (!Item || String(Item.expiresAt) <= now.toISOString()) return undefined;
  return {
    callerId,
    keyHash,
    requestHash: String(Item.requestHash),
    licenseId: String(Item.licenseId),
    sealedKey: String(Item.sealedKey),
    expiresAt: String(Item.expiresAt),
  };
}

/** Claims the idempotency key, unless a live record holds it (an expired one, not yet swept by TTL, may be replaced). */
export function idempotencyPut(table: Table, record: IdempotencyRecord, now: Date): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: {
        ...keys.idempotency(record.callerId, record.keyHash),
        entity: 'idempotency',
        ...record,
        ttl: Math.ceil(Date.parse(record.expiresAt) / 1000),
      },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    },
  };
}
