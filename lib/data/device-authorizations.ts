import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { batchGet, mapKey } from './batch-get.js';
import { eventPuts } from './events.js';
import { toFailureSlots } from './key-failures.js';
import type { FailureSlots } from './key-failures.js';
import { keys } from './keys.js';
import { labelledTransaction } from './transactions.js';
import type { TransactItem } from './transactions.js';

/**
 * Sign-in activations (RFC 8628 device authorizations, API.md §7): one item under the user code
 * (what people look up), and one under the hash of the device code pointing to it (what the
 * installation polls with; the code itself is never stored). Both expire by TTL a day after the
 * codes do, so an approved activation can still be collected a while after.
 */
export interface DeviceAuthorizationRecord {
  readonly userCode: string;
  readonly deviceCodeHash: string;
  readonly installationId: string;
  readonly productId: string;
  readonly fingerprint: string;
  readonly hostname: string;
  readonly version: string;
  readonly virtual: boolean;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastPolledAt?: string;
  readonly licenseId?: string;
  readonly collectedAt?: string;
}

const keepAfterExpiryMs = 24 * 60 * 60 * 1000;
const ttlOf = (expiresAt: string) => Math.ceil((Date.parse(expiresAt) + keepAfterExpiryMs) / 1000);

function toRecord(item: Record<string, unknown>): DeviceAuthorizationRecord {
  const optional = (name: string) => (typeof item[name] === 'string' ? { [name]: item[name] as string } : {});
  return {
    userCode: String(item.userCode),
    deviceCodeHash: String(item.deviceCodeHash),
    installationId: String(item.installationId),
    productId: String(item.productId),
    fingerprint: String(item.fingerprint),
    hostname: String(item.hostname),
    version: String(item.version),
    virtual: item.virtual === true,
    status: item.status === 'approved' || item.status === 'denied' ? item.status : 'pending',
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    ...optional('lastPolledAt'),
    ...optional('licenseId'),
    ...optional('collectedAt'),
  };
}

/** `proof-place-changed`: the installation item or its proof ledger changed since read (spendProofAside). */
export type PutDeviceAuthorizationOutcome = 'created' | 'code-taken' | 'proof-place-changed' | 'contention';

/** Stores a new authorization, both its items and the installation's spent proof, in one transaction. */
export async function putDeviceAuthorization(table: Table, record: DeviceAuthorizationRecord, proofItems: readonly TransactItem[]): Promise<PutDeviceAuthorizationOutcome> {
  const ttl = ttlOf(record.expiresAt);
  const outcome = await labelledTransaction(table, [
    ...proofItems.map((item) => ['proof', item] as const),
    ['code', { Put: { TableName: table.name, Item: { ...keys.deviceAuthorization(record.userCode), entity: 'deviceAuthorization', ...record, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } }],
    ['code', { Put: { TableName: table.name, Item: { ...keys.deviceCode(record.deviceCodeHash), entity: 'deviceCode', userCode: record.userCode, ttl }, ConditionExpression: 'attribute_not_exists(pk)' } }],
  ]);
  if (outcome.ok) return 'created';
  if (outcome.failed.has('proof')) return 'proof-place-changed';
  if (outcome.failed.has('code')) return 'code-taken';
  return 'contention';
}

export async function getDeviceAuthorization(table: Table, userCode: string): Promise<DeviceAuthorizationRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.deviceAuthorization(userCode), ConsistentRead: true }));
  return Item ? toRecord(Item) : undefined;
}

/**
 * What looking up a user code for a person needs, in one round trip: the authorization the code names
 * (none for no code), and the person's unknown user codes, by slot.
 */
export async function readUserCodeLookup(table: Table, args: { personId: string; userCode: string | undefined }): Promise<{ authorization?: DeviceAuthorizationRecord; failures: FailureSlots }> {
  const failuresKey = keys.userCodeFailures(args.personId);
  const authorizationKey = args.userCode === undefined ? undefined : keys.deviceAuthorization(args.userCode);
  const found = await batchGet(table, authorizationKey ? [failuresKey, authorizationKey] : [failuresKey]);
  const authorization = authorizationKey && found.get(mapKey(authorizationKey));
  return { ...(authorization ? { authorization: toRecord(authorization) } : {}), failures: toFailureSlots(found.get(mapKey(failuresKey))) };
}

export async function getDeviceAuthorizationByDeviceCode(table: Table, deviceCodeHash: string): Promise<DeviceAuthorizationRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.deviceCode(deviceCodeHash), ConsistentRead: true }));
  return typeof Item?.userCode === 'string' ? getDeviceAuthorization(table, Item.userCode) : undefined;
}

/**
 * The transaction item that approves a pending, unexpired authorization with `licenseId`: written
 * in the activation's own transaction, as the proof that this installation may be activated.
 */
export function approvalUpdate(table: Table, args: { userCode: string; licenseId: string; now: Date }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.deviceAuthorization(args.userCode),
      UpdateExpression: 'SET #status = :approved, licenseId = :licenseId, approvedAt = :now',
      ConditionExpression: '#status = :pending AND expiresAt > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':approved': 'approved', ':pending': 'pending', ':licenseId': args.licenseId, ':now': args.now.toISOString() },
    },
  };
}

/** Denies a pending, unexpired authorization, with its event; false when it was no longer pending. */
export async function denyDeviceAuthorization(table: Table, args: { userCode: string; now: Date; event: AuditEvent }): Promise<'denied' | 'not-pending' | 'contention'> {
  const outcome = await labelledTransaction(table, [
    [
      'authorization',
      {
        Update: {
          TableName: table.name,
          Key: keys.deviceAuthorization(args.userCode),
          UpdateExpression: 'SET #status = :denied, deniedAt = :now',
          ConditionExpression: '#status = :pending AND expiresAt > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':denied': 'denied', ':pending': 'pending', ':now': args.now.toISOString() },
        },
      },
    ],
    ...eventPuts(table, args.event).map((item) => ['event', item] as const),
  ]);
  if (outcome.ok) return 'denied';
  return outcome.failed.has('authorization') ? 'not-pending' : 'contention';
}

/** One conditional update of an authorization; false when its condition failed. */
async function updateIf(table: Table, userCode: string, update: { set: string; condition: string; values: Record<string, unknown> }): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.deviceAuthorization(userCode),
        UpdateExpression: update.set,
        ConditionExpression: update.condition,
        ExpressionAttributeValues: update.values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Records a poll, provided the last one is the one the caller read: of two concurrent polls one
 * wins, the other is too soon. False when another poll came first.
 */
export function recordPoll(table: Table, args: { userCode: string; previous: string | undefined; now: Date }): Promise<boolean> {
  const { previous } = args;
  return updateIf(table, args.userCode, {
    set: 'SET lastPolledAt = :now',
    condition: previous === undefined ? 'attribute_exists(pk) AND attribute_not_exists(lastPolledAt)' : 'lastPolledAt = :previous',
    values: { ':now': args.now.toISOString(), ...(previous === undefined ? {} : { ':previous': previous }) },
  });
}

/** Marks an approved authorization collected; true the first time only. */
export function markCollected(table: Table, args: { userCode: string; now: Date }): Promise<boolean> {
  return updateIf(table, args.userCode, { set: 'SET collectedAt = :now', condition: 'attribute_not_exists(collectedAt)', values: { ':now': args.now.toISOString() } });
}
