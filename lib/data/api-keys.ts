import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { ApiKey, AuditEvent } from '@license-activation/contract/schemas';
import { counterChange } from './counters.js';
import { accountEventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { labelledTransaction } from './transactions.js';
import type { LabelledItem, TransactItem } from './transactions.js';

/**
 * An account's API keys (API.md §7). Each is two items written together: its lookup by the key's hash
 * (what authenticates a request: one GetItem), and its entry in its account's list (what its owners
 * see and revoke); an account counts its keys in one more item, so that no race makes a sixth.
 */

export type AccountKind = 'customer' | 'reseller';

/** The most keys an account keeps. */
export const maxApiKeys = 5;

/** How stale `lastUsedAt` may get: a key's use is written at most once in this long, not on every request. */
export const lastUsedPrecisionMs = 60 * 60 * 1000;

export interface ApiKeyRecord {
  readonly id: string;
  readonly accountId: string;
  readonly kind: AccountKind;
  /** The account's name, as the key's principal names it in audit events. */
  readonly name: string;
  readonly prefix: string;
  readonly hash: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
}

/** The first 8 characters of a key: what tells an account's keys apart. */
export const apiKeyPrefixOf = (key: string): string => key.slice(0, 8);

function toApiKeyRecord(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(item.id),
    accountId: String(item.accountId),
    kind: item.kind === 'reseller' ? 'reseller' : 'customer',
    name: String(item.name),
    prefix: String(item.prefix),
    hash: String(item.hash),
    createdAt: String(item.createdAt),
    ...(typeof item.lastUsedAt === 'string' ? { lastUsedAt: item.lastUsedAt } : {}),
  };
}

export function toApiKey(record: ApiKeyRecord): ApiKey {
  return { id: record.id, prefix: record.prefix, createdAt: record.createdAt, ...(record.lastUsedAt ? { lastUsedAt: record.lastUsedAt } : {}) };
}

type KeyLabel = 'lookup' | 'listed' | 'count' | 'event';

/** An account's keys, up (only below the cap) or down. */
function countChange(table: Table, accountId: string, delta: 1 | -1): LabelledItem<'count'> {
  return ['count', counterChange(table, { key: keys.apiKeyCount(accountId), entity: 'apiKeyCount', attribute: 'count' }, delta, { max: maxApiKeys })];
}

/** The items that add a key to an account (for a new account's first key, in the account's own transaction). */
export function apiKeyPuts(table: Table, record: ApiKeyRecord): LabelledItem<KeyLabel>[] {
  const put = (item: Record<string, unknown>): TransactItem => ({ Put: { TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } });
  return [
    ['lookup', put({ ...keys.apiKey(record.hash), entity: 'apiKey', ...record })],
    ['listed', put({ ...keys.accountApiKey(record.accountId, record.id), entity: 'accountApiKey', ...record })],
    countChange(table, record.accountId, 1),
  ];
}

export type AddApiKeyOutcome = 'added' | 'too-many' | 'contention';

export async function addApiKey(table: Table, record: ApiKeyRecord, events: readonly AuditEvent[]): Promise<AddApiKeyOutcome> {
  const outcome = await labelledTransaction<KeyLabel>(table, [...apiKeyPuts(table, record), ...accountEventPuts(table, record.accountId, events)]);
  if (outcome.ok) return 'added';
  if (outcome.failed.has('count')) return 'too-many';
  return 'contention';
}

export type RevokeApiKeyOutcome = 'revoked' | 'missing' | 'contention';

/** Deletes both items of a key: no request authenticates with it from then on (but for the authorizer's cache). */
export async function revokeApiKey(table: Table, record: ApiKeyRecord, events: readonly AuditEvent[]): Promise<RevokeApiKeyOutcome> {
  const remove = (key: { pk: string; sk: string }): TransactItem => ({
    Delete: { TableName: table.name, Key: key, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': record.id } },
  });
  const outcome = await labelledTransaction<KeyLabel>(table, [
    ['lookup', remove(keys.apiKey(record.hash))],
    ['listed', remove(keys.accountApiKey(record.accountId, record.id))],
    countChange(table, record.accountId, -1),
    ...accountEventPuts(table, record.accountId, events),
  ]);
  if (outcome.ok) return 'revoked';
  if (outcome.failed.has('lookup') || outcome.failed.has('listed')) return 'missing';
  return 'contention';
}

export async function getApiKey(table: Table, accountId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
  if (!isStorableId(accountId) || !isStorableId(keyId)) return undefined;
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.accountApiKey(accountId, keyId), ConsistentRead: true }));
  return Item ? toApiKeyRecord(Item) : undefined;
}

export async function listApiKeys(table: Table, accountId: string, page: { limit: number; cursor?: string }): Promise<Page<ApiKeyRecord>> {
  const result = await querySlicePage(table, { partition: keys.account(accountId).pk, prefix: keys.accountApiKeyPrefix }, page);
  return { ...result, items: result.items.map(toApiKeyRecord) };
}

/** The key an API key's hash names; strongly consistent so a new key works, and a revoked one fails, at once. */
export async function findApiKeyByHash(table: Table, apiKeyHash: string): Promise<ApiKeyRecord | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.apiKey(apiKeyHash), ConsistentRead: true }));
  return Item ? toApiKeyRecord(Item) : undefined;
}

/**
 * Records that a key was used, when its `lastUsedAt` is older than `lastUsedPrecisionMs` (or unset):
 * one write per key an hour, not one per request. Only the first of concurrent requests writes
 * (conditioned on the lookup item's stale value); a key revoked meanwhile is not brought back.
 */
export async function recordApiKeyUse(table: Table, record: ApiKeyRecord, now: Date): Promise<void> {
  const staleBefore = new Date(now.getTime() - lastUsedPrecisionMs).toISOString();
  if (record.lastUsedAt !== undefined && record.lastUsedAt > staleBefore) return;
  const touch = (key: { pk: string; sk: string }, stillStale: boolean): TransactItem => ({
    Update: {
      TableName: table.name,
      Key: key,
      UpdateExpression: 'SET lastUsedAt = :now',
      ConditionExpression: stillStale ? 'id = :id AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :stale)' : 'id = :id',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':id': record.id, ...(stillStale ? { ':stale': staleBefore } : {}) },
    },
  });
  // Not worth a failed request: another request recorded it, or the key is gone; either way nothing to do.
  await labelledTransaction(table, [
    ['lookup', touch(keys.apiKey(record.hash), true)],
    ['listed', touch(keys.accountApiKey(record.accountId, record.id), false)],
  ]);
}
