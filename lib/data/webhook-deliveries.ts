import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, WebhookDeliveryStatus } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import { isStorableId, keys } from './keys.js';
import { queryAll, querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import type { TransactItem } from './transactions.js';

/**
 * Webhook deliveries (API.md §9): one item per event and endpoint, in the endpoint's partition
 * (`DELIVERIES#<endpointId>`, sort key the event id, so the log reads newest first). A pending delivery is
 * also in the sparse gsi3 partition `DELIVERIES_DUE`, by the time of its next attempt: the durable retry
 * schedule, which outlives the table stream's 24 hours. An attempt claims the delivery by moving its next
 * attempt to the end of a lease, so that two workers never both send it; a worker that dies leaves it due
 * again when the lease ends. Each delivery is kept 30 days (TTL).
 */

/** Why a delivery is being attempted outside its schedule: one manual attempt, or a `recover`. */
export type ManualRequest = 'retry' | 'recover' | 'test';

export interface DeliveryRecord {
  readonly endpointId: string;
  readonly ownerKey: string;
  readonly eventId: string;
  /** The event as the event routes answer it: what the body's `data` is. */
  readonly event: AuditEvent;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  /** Failed attempts in the current schedule: which step of the retry schedule comes next. */
  readonly failures: number;
  readonly createdAt: string;
  readonly lastAttemptAt?: string;
  readonly nextAttemptAt?: string;
  readonly lastResponseStatus?: number;
  readonly lastError?: string;
  /** For an account's endpoint: the feed (event partition) through which its owner reads the event, re-checked at each attempt. */
  readonly viaFeed?: string;
  /** The last owner's request (`test`, `retry`, `recover`) and when: a new one starts an attempt at once. */
  readonly requested?: ManualRequest;
  readonly requestedAt?: string;
  /** A manual retry of a delivery that was no longer pending: one attempt, then `failed` again if it fails. */
  readonly singleAttempt?: boolean;
}

/** How long a delivery's log is kept. */
export const deliveryRetentionDays = 30;

const recordAttributes = [
  'endpointId', 'ownerKey', 'eventId', 'event', 'status', 'attempts', 'failures', 'createdAt', 'lastAttemptAt', 'nextAttemptAt',
  'lastResponseStatus', 'lastError', 'viaFeed', 'requested', 'requestedAt', 'singleAttempt',
] as const;

export function toDeliveryRecord(item: Record<string, unknown>): DeliveryRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return record as unknown as DeliveryRecord;
}

const retentionSeconds = deliveryRetentionDays * 24 * 60 * 60;

/** The whole item of a delivery: due in gsi3 while pending, kept 30 days from its last change. */
function deliveryItem(record: DeliveryRecord, now: Date) {
  const due = record.status === 'pending' && record.nextAttemptAt !== undefined;
  return {
    ...keys.delivery(record.endpointId, record.eventId),
    entity: 'webhookDelivery',
    ...record,
    ...(due ? { gsi3pk: keys.dueDeliveries, gsi3sk: `${record.nextAttemptAt}#${record.endpointId}#${record.eventId}` } : {}),
    ttl: Math.ceil(now.getTime() / 1000) + retentionSeconds,
  };
}

/** A new delivery; an event reaches an endpoint once, so a repeat (the stream's at-least-once) writes nothing. */
export async function putNewDelivery(table: Table, record: DeliveryRecord, now: Date): Promise<boolean> {
  try {
    await table.client.send(new PutCommand({ TableName: table.name, Item: deliveryItem(record, now), ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** A new delivery, in a transaction (a `webhook.test`, with its call counted). */
export function newDeliveryPut(table: Table, record: DeliveryRecord, now: Date): TransactItem {
  return { Put: { TableName: table.name, Item: deliveryItem(record, now), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A delivery written again by its owner's request (`retry`, `recover`), if it is still there. */
export function requestedDeliveryPut(table: Table, record: DeliveryRecord, now: Date): TransactItem {
  return { Put: { TableName: table.name, Item: deliveryItem(record, now), ConditionExpression: 'attribute_exists(pk)' } };
}

export async function getDelivery(table: Table, endpointId: string, eventId: string): Promise<DeliveryRecord | undefined> {
  if (!isStorableId(endpointId) || !isStorableId(eventId)) return undefined;
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.delivery(endpointId, eventId), ConsistentRead: true }));
  return Item ? toDeliveryRecord(Item) : undefined;
}

/** An endpoint's deliveries, newest event first. */
export async function listDeliveries(table: Table, endpointId: string, page: { limit: number; cursor?: string }): Promise<Page<DeliveryRecord>> {
  const result = await querySlicePage(table, { partition: keys.deliveriesOf(endpointId), prefix: keys.deliveryPrefix, newestFirst: true }, page);
  return { ...result, items: result.items.map(toDeliveryRecord) };
}

/** An endpoint's deliveries of events since `sinceEventId` (an event id of that moment), read to the end. */
export async function deliveriesSince(table: Table, endpointId: string, sinceEventId: string): Promise<DeliveryRecord[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.deliveriesOf(endpointId), ':from': keys.delivery(endpointId, sinceEventId).sk, ':to': `${keys.deliveryPrefix}\uffff` },
    ConsistentRead: true,
  });
  return items.map(toDeliveryRecord);
}

/**
 * Writes a delivery if it is still as it was read: pending with the same next attempt. That is how an
 * attempt claims it (the next attempt moved to the end of its lease) and how it records its outcome (the
 * lease still its own); false when another worker or request changed it first.
 */
export async function replaceDeliveryIfUnchanged(table: Table, record: DeliveryRecord, seen: Pick<DeliveryRecord, 'status' | 'nextAttemptAt'>, now: Date): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: deliveryItem(record, now),
        ConditionExpression: '#status = :status AND nextAttemptAt = :next',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': seen.status, ':next': seen.nextAttemptAt ?? '' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** A delivery to attempt: where it lives. */
export interface DeliveryRef {
  readonly endpointId: string;
  readonly eventId: string;
}

/** Pending deliveries due by `until`, earliest first (gsi3, eventually consistent: an attempt re-reads the delivery). */
export async function dueDeliveries(table: Table, until: Date, limit: number): Promise<Array<DeliveryRef & { nextAttemptAt: string }>> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :due AND gsi3sk <= :until',
      ExpressionAttributeValues: { ':due': keys.dueDeliveries, ':until': `${until.toISOString()}#\uffff` },
      ProjectionExpression: 'endpointId, eventId, nextAttemptAt',
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({ endpointId: String(item.endpointId), eventId: String(item.eventId), nextAttemptAt: String(item.nextAttemptAt) }));
}
