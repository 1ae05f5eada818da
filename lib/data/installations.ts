import { randomUUID } from 'node:crypto';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { LicenseType } from '@license-activation/contract/catalog-schema';
import { isStorableId, keys } from './keys.js';
import { toLicenseRecord } from './licenses.js';
import type { LicenseRecord } from './licenses.js';
import type { StoredLicenseStatus } from '@license-activation/contract/license-state';
import type { TransactItem } from './transactions.js';

/**
 * A license as activated on an installation: the activation itself, and a copy of the license's
 * terms and status. The copy lets one read of the installation decide its token; the status is
 * re-checked (`licenseUnchanged`) in the transaction that commits anything based on it.
 */
export interface ActivatedLicense {
  readonly licenseId: string;
  readonly activationId: string;
  readonly activatedAt: string;
  readonly type: LicenseType;
  readonly quantity: number;
  readonly edition?: string;
  readonly status: StoredLicenseStatus;
  readonly expiresAt?: string;
}

/** Everything the service knows about an installation, kept in one item. */
export interface InstallationRecord {
  readonly id: string;
  readonly productId: string;
  readonly customerId?: string;
  readonly hostname: string;
  readonly version: string;
  readonly virtual: boolean;
  /** SHA-256 of the product and the reported fingerprint; the raw fingerprint is not kept. */
  readonly fingerprintHash: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly trial?: { readonly startedAt: string; readonly endsAt: string };
  /** When the first activation ended the trial: it never resumes. */
  readonly trialEndedAt?: string;
  readonly usage?: { readonly activeUsers: number; readonly reportedAt: string };
  readonly licenses: Readonly<Record<string, ActivatedLicense>>;
  /** Optimistic lock: every write checks the revision it read and stores the next. */
  readonly rev: number;
}

const recordAttributes = [
  'id', 'productId', 'customerId', 'hostname', 'version', 'virtual', 'fingerprintHash', 'createdAt',
  'lastSeenAt', 'trial', 'trialEndedAt', 'usage', 'licenses', 'rev',
] as const;

function toInstallationRecord(item: Record<string, unknown>): InstallationRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return { licenses: {}, ...record } as unknown as InstallationRecord;
}

export async function getInstallation(table: Table, installationId: string): Promise<InstallationRecord | undefined> {
  if (!isStorableId(installationId)) return undefined;
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.installation(installationId), ConsistentRead: true }),
  );
  return Item ? toInstallationRecord(Item) : undefined;
}

/** Items by key in one BatchGetItem (strongly consistent), retrying what DynamoDB leaves unprocessed. */
async function batchGet(table: Table, itemKeys: readonly { pk: string; sk: string }[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] = [...itemKeys];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** round));
    const result = await table.client.send(
      new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[table.name] ?? []) found.set(`${String(item.pk)}|${String(item.sk)}`, item);
    pending = result.UnprocessedKeys?.[table.name]?.Keys ?? [];
    if (round >= 5 && pending.length > 0) throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'ThrottlingException' });
  }
  return found;
}

const mapKey = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;

export interface ActivationReads {
  readonly installation?: InstallationRecord;
  readonly license?: LicenseRecord;
  /** Epoch milliseconds of recent failed key activations, when asked for. */
  readonly keyFailures: readonly number[];
}

/** What an activation needs, in one round trip: the license, the installation, and (for keys) its recent failures. */
export async function readForActivation(
  table: Table,
  args: { installationId: string; licenseId?: string; withKeyFailures: boolean },
): Promise<ActivationReads> {
  const installationKey = keys.installation(args.installationId);
  const licenseKey = args.licenseId !== undefined && isStorableId(args.licenseId) ? keys.license(args.licenseId) : undefined;
  const failuresKey = args.withKeyFailures ? keys.keyFailures(args.installationId) : undefined;
  const wanted = [installationKey, licenseKey, failuresKey].filter((key) => key !== undefined);
  const found = await batchGet(table, wanted);
  const installation = found.get(mapKey(installationKey));
  const license = licenseKey && found.get(mapKey(licenseKey));
  const failures = failuresKey && found.get(mapKey(failuresKey));
  return {
    installation: installation && toInstallationRecord(installation),
    license: license ? toLicenseRecord(license) : undefined,
    keyFailures: Array.isArray(failures?.failures) ? failures.failures.map(Number) : [],
  };
}

/** Licenses by id, in one round trip (missing ones are left out). */
export async function getLicenses(table: Table, licenseIds: readonly string[]): Promise<LicenseRecord[]> {
  if (licenseIds.length === 0) return [];
  const found = await batchGet(table, licenseIds.map((licenseId) => keys.license(licenseId)));
  return [...found.values()].map(toLicenseRecord);
}

// ---------------------------------------------------------------- transaction items

/** Writes the whole installation item: new (must not exist) or replacing the revision that was read. */
export function installationPut(table: Table, record: InstallationRecord, readRev: number | undefined): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.installation(record.id), entity: 'installation', ...record },
      ...(readRev === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': readRev } }),
    },
  };
}

/**
 * Remembers a proof's id until `expiresAt`; fails if the same id is still remembered. Expired items
 * may linger until TTL removes them, so the condition also accepts one whose time is up. `spentBy`
 * names this very write: when its answer is lost and the SDK sends the same put again, the retry
 * finds its own item rather than a replay (a transaction has its ClientRequestToken for that; a
 * lone PutItem has nothing else).
 */
export function proofPut(table: Table, key: { pk: string; sk: string }, expiresAt: Date, now: Date): TransactItem {
  const spentBy = randomUUID();
  return {
    Put: {
      TableName: table.name,
      Item: { ...key, entity: 'proof', expiresAt: expiresAt.toISOString(), ttl: Math.ceil(expiresAt.getTime() / 1000), spentBy },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR spentBy = :spentBy',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':spentBy': spentBy },
    },
  };
}

/** Holds while the license's status is still the one a decision was based on. */
export function licenseUnchanged(table: Table, licenseId: string, status: StoredLicenseStatus): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: keys.license(licenseId),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    },
  };
}

/** The activation item: one per license and installation, so a repeat can never take a second slot. */
export function activationPut(table: Table, activation: { licenseId: string; installationId: string; activationId: string; createdAt: string }): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.activation(activation.licenseId, activation.installationId), entity: 'activation', ...activation },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function activationDelete(table: Table, licenseId: string, installationId: string): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: keys.activation(licenseId, installationId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}

/**
 * Takes one activation slot: only while the license is active and below its limit. On failure the
 * old item comes back, so the caller can tell a status change from a full license.
 */
export function slotTake(table: Table, licenseId: string): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.license(licenseId),
      UpdateExpression: 'SET activations = activations + :one',
      ConditionExpression: '#status = :active AND activations < maxActivations',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':active': 'active' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export function slotFree(table: Table, licenseId: string): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.license(licenseId),
      UpdateExpression: 'SET activations = activations - :one',
      ConditionExpression: 'activations > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    },
  };
}

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
