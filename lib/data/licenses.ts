import type { StoredLicenseStatus } from '@license-activation/contract/license-state';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { LicenseType } from '@license-activation/contract/catalog-schema';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { batchGet } from './batch-get.js';
import { eventPuts } from './events.js';
import { newExpiryNoticesPut } from './license-expiry-notices.js';
import { isStorableId, keys } from './keys.js';
import { queryPage } from './pagination.js';
import type { Page } from './pagination.js';
import { failedCondition, isContention, transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';

/** A license's status as stored; `expired` is derived from `expiresAt` when it is read. */


export interface LicenseRecord {
  readonly id: string;
  readonly customerId: string;
  readonly productId: string;
  readonly type: LicenseType;
  readonly quantity: number;
  readonly edition?: string;
  readonly status: StoredLicenseStatus;
  readonly keyPrefix: string;
  readonly issuedBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly maxActivations: number;
  /** How many activation items the license has; changed only together with them, in one transaction. */
  readonly activations: number;
  /**
   * Released activations whose installation may still hold an unexpired token: installation id →
   * epoch seconds of that token's `exp` (API.md §8, the release allowance). Pruned at each release.
   */
  readonly releases?: Readonly<Record<string, number>>;
  /** Optimistic lock of `releases`: every release checks the revision it read. */
  readonly releaseRev?: number;
  /** The issuing reseller's budget counts this license's quantity, until it is revoked or expires. */
  readonly budgetHeld?: boolean;
}

const recordAttributes = [
  'id', 'customerId', 'productId', 'type', 'quantity', 'edition', 'status', 'keyPrefix',
  'issuedBy', 'createdAt', 'expiresAt', 'maxActivations', 'activations', 'releases', 'releaseRev', 'budgetHeld',
] as const;

export function toLicenseRecord(item: Record<string, unknown>): LicenseRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return record as unknown as LicenseRecord;
}

function licenseItem(record: LicenseRecord) {
  const order = `${record.createdAt}#${record.id}`;
  return {
    ...keys.license(record.id),
    entity: 'license',
    ...record,
    gsi1pk: keys.licensesOfCustomer(record.customerId),
    gsi1sk: order,
    gsi2pk: keys.allLicenses,
    gsi2sk: order,
    // Found by the job that gives budgets back when licenses expire.
    ...(record.budgetHeld && record.expiresAt !== undefined ? { gsi3pk: keys.budgetExpiries, gsi3sk: `${record.expiresAt}#${record.id}` } : {}),
  };
}

/** The license's budget hold ends: in the same update as anything else the transaction changes on it. */
const endBudgetHold = 'REMOVE budgetHeld, gsi3pk, gsi3sk';

export async function getLicense(table: Table, licenseId: string): Promise<LicenseRecord | undefined> {
  if (!isStorableId(licenseId)) return undefined;
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.license(licenseId), ConsistentRead: true }),
  );
  return Item ? toLicenseRecord(Item) : undefined;
}

export type PutLicenseOutcome =
  | { readonly outcome: 'created' }
  | { readonly outcome: 'guard-failed' }
  | { readonly outcome: 'idempotency-key-taken' }
  | { readonly outcome: 'budget-exceeded'; readonly budget?: Record<string, unknown> }
  | { readonly outcome: 'contention' };

/**
 * Writes a new license with its events, provided `guard` holds (the issuer may still act for the
 * customer) and, with `idempotencyPut`, that no live record holds the same idempotency key.
 */
export async function putLicense(
  table: Table,
  args: { record: LicenseRecord; guard: TransactItem; idempotencyPut?: TransactItem; budgetTake?: TransactItem; event: AuditEvent },
): Promise<PutLicenseOutcome> {
  const items: TransactItem[] = [
    args.guard,
    { Put: { TableName: table.name, Item: licenseItem(args.record), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...(args.idempotencyPut ? [args.idempotencyPut] : []),
    ...(args.budgetTake ? [args.budgetTake] : []),
    ...eventPuts(table, args.event),
    // Last, so that the failing items above keep their places: the notices `license.expiring` and `license.expired` will give.
    ...(args.record.expiresAt !== undefined ? [newExpiryNoticesPut(table, { id: args.record.id, expiresAt: args.record.expiresAt }, new Date(args.record.createdAt))] : []),
  ];
  const outcome = await transactWrite(table, items);
  if (outcome.ok) return { outcome: 'created' };
  if (failedCondition(outcome, 0)) return { outcome: 'guard-failed' };
  if (args.idempotencyPut && failedCondition(outcome, 2)) return { outcome: 'idempotency-key-taken' };
  const budgetIndex = args.idempotencyPut ? 3 : 2;
  if (args.budgetTake && failedCondition(outcome, budgetIndex)) return { outcome: 'budget-exceeded', budget: outcome.oldItems[budgetIndex] };
  if (isContention(outcome)) return { outcome: 'contention' };
  throw new Error(`license creation cancelled: ${outcome.reasons.join(', ')}`);
}

export type StatusChangeOutcome = 'changed' | 'stale' | 'guard-failed' | 'contention';

/**
 * Moves a license from the status it was read with to another, with its event. `stale` means the
 * status changed in between: the caller reads again and decides again.
 */
export async function changeLicenseStatus(
  table: Table,
  args: { licenseId: string; from: StoredLicenseStatus; to: StoredLicenseStatus; guard?: TransactItem; budgetReturn?: TransactItem; event: AuditEvent },
): Promise<StatusChangeOutcome> {
  const items: TransactItem[] = [
    {
      Update: {
        TableName: table.name,
        Key: keys.license(args.licenseId),
        // A revoke gives the budget back at once: the hold ends with the status change, or not at all.
        UpdateExpression: `SET #status = :to${args.budgetReturn ? ` ${endBudgetHold}` : ''}`,
        ConditionExpression: `#status = :from${args.budgetReturn ? ' AND budgetHeld = :held' : ''}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': args.from, ':to': args.to, ...(args.budgetReturn ? { ':held': true } : {}) },
      },
    },
    ...(args.guard ? [args.guard] : []),
    ...(args.budgetReturn ? [args.budgetReturn] : []),
    ...eventPuts(table, args.event),
  ];
  const outcome = await transactWrite(table, items);
  if (outcome.ok) return 'changed';
  if (failedCondition(outcome, 0)) return 'stale';
  if (args.guard && failedCondition(outcome, 1)) return 'guard-failed';
  // Given back meanwhile by the expiry job: decide again from a fresh read.
  if (args.budgetReturn && failedCondition(outcome, args.guard ? 2 : 1)) return 'stale';
  if (isContention(outcome)) return 'contention';
  throw new Error(`license status change cancelled: ${outcome.reasons.join(', ')}`);
}

const licenseOrderKeys = (indexName: 'gsi1' | 'gsi2') => ['pk', 'sk', `${indexName}pk`, `${indexName}sk`];

/** A customer's licenses, newest first. */
export async function listLicensesOfCustomer(table: Table, customerId: string, page: { limit: number; cursor?: string }): Promise<Page<LicenseRecord>> {
  const partition = keys.licensesOfCustomer(customerId);
  const result = await queryPage(
    table,
    { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :owner', ExpressionAttributeValues: { ':owner': partition }, ScanIndexForward: false },
    { partition: { name: 'gsi1pk', value: partition }, keyNames: licenseOrderKeys('gsi1') },
    page,
  );
  return { ...result, items: result.items.map(toLicenseRecord) };
}

/** Every license, newest first (ops). */
export async function listAllLicenses(table: Table, page: { limit: number; cursor?: string }): Promise<Page<LicenseRecord>> {
  const result = await queryPage(
    table,
    { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :all', ExpressionAttributeValues: { ':all': keys.allLicenses }, ScanIndexForward: false },
    { partition: { name: 'gsi2pk', value: keys.allLicenses }, keyNames: licenseOrderKeys('gsi2') },
    page,
  );
  return { ...result, items: result.items.map(toLicenseRecord) };
}

/** Licenses by id, in one round trip (missing ones are left out). */
export async function getLicenses(table: Table, licenseIds: readonly string[]): Promise<LicenseRecord[]> {
  if (licenseIds.length === 0) return [];
  const found = await batchGet(table, licenseIds.map((licenseId) => keys.license(licenseId)));
  return [...found.values()].map(toLicenseRecord);
}

/**
 * One page of the licenses whose budget hold outlived their `expiresAt`, oldest first (gsi3: sparse,
 * eventually consistent; `expiredHoldEnd` re-checks each one), and where the next page starts, if any.
 */
export async function licensesHoldingExpiredBudget(
  table: Table,
  now: Date,
  page: { limit: number; startKey?: Record<string, unknown> },
): Promise<{ licenses: LicenseRecord[]; nextKey?: Record<string, unknown> }> {
  const { Items = [], LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :held AND gsi3sk < :now',
      ExpressionAttributeValues: { ':held': keys.budgetExpiries, ':now': now.toISOString() },
      Limit: page.limit,
      ExclusiveStartKey: page.startKey,
    }),
  );
  return { licenses: Items.map(toLicenseRecord), ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}) };
}

/** Ends an expired license's budget hold, once: written with the budget's `budgetReturn`. */
export function expiredHoldEnd(table: Table, licenseId: string, now: Date): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.license(licenseId),
      UpdateExpression: endBudgetHold,
      ConditionExpression: 'budgetHeld = :held AND expiresAt <= :now',
      ExpressionAttributeValues: { ':held': true, ':now': now.toISOString() },
    },
  };
}

function licenseStatusIs(table: Table, licenseId: string, status: StoredLicenseStatus, options: { returnOldOnFailure?: boolean } = {}): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: keys.license(licenseId),
      ConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
      ...(options.returnOldOnFailure ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    },
  };
}

/** Holds while the license's status is still the one a decision was based on. */
export function licenseUnchanged(table: Table, licenseId: string, status: StoredLicenseStatus): TransactItem {
  return licenseStatusIs(table, licenseId, status);
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

/**
 * Holds a slot that changes hands (a reclaimed or re-activated one): only while the license is active.
 * On failure the old item comes back, like `slotTake`.
 */
export function slotKeep(table: Table, licenseId: string): TransactItem {
  return licenseStatusIs(table, licenseId, 'active', { returnOldOnFailure: true });
}

/**
 * A release: the license's released activations become `releases` (read at `readRev`, so concurrent
 * releases decide one after the other) and, when the slot frees at once, the count goes down.
 */
export function slotRelease(table: Table, release: { licenseId: string; readRev: number | undefined; releases: Readonly<Record<string, number>>; freeNow: boolean }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.license(release.licenseId),
      UpdateExpression: `SET releases = :releases, releaseRev = :nextRev${release.freeNow ? ', activations = activations - :one' : ''}`,
      ConditionExpression: `${release.readRev === undefined ? 'attribute_not_exists(releaseRev)' : 'releaseRev = :readRev'}${release.freeNow ? ' AND activations > :zero' : ''}`,
      ExpressionAttributeValues: {
        ':releases': release.releases,
        ':nextRev': (release.readRev ?? 0) + 1,
        ...(release.readRev === undefined ? {} : { ':readRev': release.readRev }),
        ...(release.freeNow ? { ':one': 1, ':zero': 0 } : {}),
      },
    },
  };
}
