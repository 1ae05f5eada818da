import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { EventTypeName } from '@license-activation/contract/event-types';
import type { WebhookDisabledReason } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import { isStorableId, keys } from './keys.js';
import { queryAll, querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { labelledTransaction } from './transactions.js';
import type { LabelledItem, TransactItem } from './transactions.js';

/**
 * Webhook endpoints (API.md §9). An endpoint lives in its owner's partition (`WEBHOOKS#<accountId>`, or
 * `WEBHOOKS#vendor` for ops'), so every read is made through the owner the caller acts as: another owner's
 * endpoint is simply not there. The owner's count item caps its endpoints at 10 whatever requests race,
 * and resellers with endpoints are listed once, for the dispatcher to check their associations.
 */

export type WebhookOwnerKind = 'customer' | 'reseller' | 'vendor';

/** A signing secret, sealed by the secret box (never in clear); a rotated-out one signs until `retiresAt`. */
export interface SealedSecret {
  readonly sealed: string;
  readonly createdAt: string;
  readonly retiresAt?: string;
}

/** Who created an endpoint: the API key (its id, `key_…`, as its owners list and revoke it), the person, or ops. */
export interface EndpointCreator {
  readonly kind: 'apiKey' | 'person' | 'ops';
  readonly id: string;
}

export interface WebhookEndpointRecord {
  readonly id: string;
  readonly ownerKey: string;
  readonly ownerKind: WebhookOwnerKind;
  readonly accountId?: string;
  readonly url: string;
  readonly types?: readonly EventTypeName[];
  readonly description?: string;
  readonly enabled: boolean;
  readonly disabledReason?: WebhookDisabledReason;
  readonly createdAt: string;
  readonly secretRotatedAt?: string;
  /** Newest first: the current secret, then the one it replaced while that still signs. */
  readonly secrets: readonly SealedSecret[];
  readonly createdBy: EndpointCreator;
  /** The first failed attempt since the last success (or the last enabling): 5 days of it disables the endpoint. */
  readonly failingSince?: string;
  /** Optimistic lock for the owner's changes (PATCH, rotation). */
  readonly rev: number;
}

/** An owner holds at most this many endpoints (API.md §9). */
export const maxEndpointsPerOwner = 10;

const recordAttributes = [
  'id', 'ownerKey', 'ownerKind', 'accountId', 'url', 'types', 'description', 'enabled', 'disabledReason', 'createdAt',
  'secretRotatedAt', 'secrets', 'createdBy', 'failingSince', 'rev',
] as const;

function toEndpointRecord(item: Record<string, unknown>): WebhookEndpointRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return record as unknown as WebhookEndpointRecord;
}

function endpointItem(record: WebhookEndpointRecord) {
  return { ...keys.webhookEndpoint(record.ownerKey, record.id), entity: 'webhookEndpoint', ...record };
}

export async function getEndpoint(table: Table, ownerKey: string, endpointId: string): Promise<WebhookEndpointRecord | undefined> {
  if (!isStorableId(endpointId)) return undefined;
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.webhookEndpoint(ownerKey, endpointId), ConsistentRead: true }));
  return Item ? toEndpointRecord(Item) : undefined;
}

/** An owner's endpoints, oldest first (ids are ULIDs). */
export async function listEndpoints(table: Table, ownerKey: string, page: { limit: number; cursor?: string }): Promise<Page<WebhookEndpointRecord>> {
  const result = await querySlicePage(table, { partition: keys.webhookOwner(ownerKey), prefix: keys.webhookEndpointPrefix }, page);
  return { ...result, items: result.items.map(toEndpointRecord) };
}

/** Every endpoint of an owner (at most 10): what the dispatcher weighs an event against. */
export async function endpointsOf(table: Table, ownerKey: string): Promise<WebhookEndpointRecord[]> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.webhookOwner(ownerKey), ':prefix': keys.webhookEndpointPrefix },
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map(toEndpointRecord);
}

/** The resellers that have created an endpoint (a reseller stays listed after deleting its last one: one more association check). */
export async function resellersWithEndpoints(table: Table): Promise<string[]> {
  const items = await queryAll(table, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.webhookResellers }, ProjectionExpression: 'resellerId', ConsistentRead: true });
  return items.map((item) => String(item.resellerId));
}

/** Puts a new endpoint under its owner's cap of 10, in one transaction. */
export async function createEndpoint(table: Table, record: WebhookEndpointRecord): Promise<'created' | 'limit' | 'contention'> {
  const items: LabelledItem<'endpoint' | 'count' | 'reseller'>[] = [
    ['endpoint', { Put: { TableName: table.name, Item: endpointItem(record), ConditionExpression: 'attribute_not_exists(pk)' } }],
    [
      'count',
      {
        Update: {
          TableName: table.name,
          Key: keys.webhookCount(record.ownerKey),
          UpdateExpression: 'SET entity = :entity ADD endpoints :one',
          ConditionExpression: 'attribute_not_exists(endpoints) OR endpoints < :max',
          ExpressionAttributeValues: { ':entity': 'webhookCount', ':one': 1, ':max': maxEndpointsPerOwner },
        },
      },
    ],
  ];
  if (record.ownerKind === 'reseller' && record.accountId) {
    items.push(['reseller', { Put: { TableName: table.name, Item: { ...keys.webhookReseller(record.accountId), entity: 'webhookReseller', resellerId: record.accountId } } }]);
  }
  const outcome = await labelledTransaction(table, items);
  if (outcome.ok) return 'created';
  if (outcome.failed.has('count')) return 'limit';
  if (outcome.contention) return 'contention';
  throw new Error('the endpoint creation was cancelled for no known reason');
}

/** Replaces an endpoint the owner changed, if nobody changed it since it was read. */
export async function replaceEndpoint(table: Table, record: WebhookEndpointRecord, readRev: number): Promise<'replaced' | 'changed' | 'contention'> {
  const outcome = await labelledTransaction(table, [
    ['endpoint', { Put: { TableName: table.name, Item: endpointItem(record), ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': readRev } } }],
  ]);
  if (outcome.ok) return 'replaced';
  return outcome.failed.has('endpoint') ? 'changed' : 'contention';
}

/** Deletes an endpoint and gives its place under the cap back; `missing` when there was none. */
export async function deleteEndpoint(table: Table, ownerKey: string, endpointId: string): Promise<'deleted' | 'missing' | 'contention'> {
  if (!isStorableId(endpointId)) return 'missing';
  const outcome = await labelledTransaction(table, [
    ['endpoint', { Delete: { TableName: table.name, Key: keys.webhookEndpoint(ownerKey, endpointId), ConditionExpression: 'attribute_exists(pk)' } }],
    [
      'count',
      {
        Update: {
          TableName: table.name,
          Key: keys.webhookCount(ownerKey),
          UpdateExpression: 'ADD endpoints :minusOne',
          ConditionExpression: 'endpoints > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        },
      },
    ],
  ]);
  if (outcome.ok) return 'deleted';
  if (outcome.failed.has('endpoint')) return 'missing';
  if (outcome.contention) return 'contention';
  throw new Error('the endpoint deletion was cancelled for no known reason');
}

/** What an attempt's outcome changes on its endpoint; each is one attribute, so no owner's change is overwritten. */
export interface EndpointHealth {
  /** A success: the failing streak, if any, ends. */
  readonly recovered?: true;
  readonly failedAt?: string;
  readonly disable?: WebhookDisabledReason;
}

/**
 * Records an attempt's outcome on the endpoint: a success clears `failingSince`, a failure starts it if
 * unset, a disable turns it off with its reason. A deleted endpoint is left alone.
 */
export async function recordEndpointHealth(table: Table, endpoint: Pick<WebhookEndpointRecord, 'ownerKey' | 'id'>, health: EndpointHealth): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  if (health.recovered) remove.push('failingSince');
  if (health.failedAt) {
    set.push('failingSince = if_not_exists(failingSince, :failedAt)');
    values[':failedAt'] = health.failedAt;
  }
  if (health.disable) {
    set.push('enabled = :false', 'disabledReason = :reason');
    values[':false'] = false;
    values[':reason'] = health.disable;
  }
  if (set.length === 0 && remove.length === 0) return;
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.webhookEndpoint(endpoint.ownerKey, endpoint.id),
        UpdateExpression: [set.length > 0 ? `SET ${set.join(', ')}` : '', remove.length > 0 ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
        ConditionExpression: 'attribute_exists(pk)',
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** `test`, `retry` and `recover` take at most this many calls a minute per endpoint (API.md §9). */
export const maxEndpointCallsPerMinute = 10;

/** The minute a call falls in, and when the next one starts. */
export function callMinute(now: Date): { minute: string; endsAt: Date } {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  return { minute: new Date(start).toISOString().slice(0, 16), endsAt: new Date(start + 60_000) };
}

/** Counts one call of the endpoint in its minute; the transaction fails its condition past the limit. */
export function endpointCallCounted(table: Table, endpoint: Pick<WebhookEndpointRecord, 'ownerKey' | 'id'>, now: Date): TransactItem {
  const { minute, endsAt } = callMinute(now);
  return {
    Update: {
      TableName: table.name,
      Key: keys.webhookCalls(endpoint.ownerKey, endpoint.id, minute),
      UpdateExpression: 'SET entity = :entity, #ttl = :ttl ADD calls :one',
      ConditionExpression: 'attribute_not_exists(calls) OR calls < :max',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':entity': 'webhookCalls', ':ttl': Math.ceil(endsAt.getTime() / 1000) + 60, ':one': 1, ':max': maxEndpointCallsPerMinute },
    },
  };
}
