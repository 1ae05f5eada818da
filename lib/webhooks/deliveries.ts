import { problem } from '@license-activation/contract/problem';
import type { AuditEvent, ListQuery, WebhookDelivery, WebhookRecoverInput } from '@license-activation/contract/schemas';
import { webhookRecoverMaxDays } from '@license-activation/contract/webhook-requests';
import { actorOf } from '../auth/principal.js';
import type { Caller } from '../auth/principal.js';
import { deliveriesSince, getDelivery, listDeliveries, newDeliveryPut, requestedDeliveryPut } from '../data/webhook-deliveries.js';
import type { DeliveryRecord } from '../data/webhook-deliveries.js';
import { callMinute, endpointCallCounted } from '../data/webhook-endpoints.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import type { Page } from '../data/pagination.js';
import { retry, retryOnContention } from '../data/contention.js';
import { labelledTransaction } from '../data/transactions.js';
import type { TransactItem } from '../data/transactions.js';
import { idBoundaryAt, newId } from '../ids.js';
import type { Table } from '../platform/dynamodb.js';
import { endpointTakes } from './dispatch.js';

/**
 * The routes of an endpoint's deliveries (API.md §9): its log, a test, a manual retry, `recover`. None of
 * them sends anything: each writes the deliveries due now, and the dispatcher, told by the table's stream,
 * starts them within seconds. `test`, `retry` and `recover` take at most 10 calls a minute per endpoint.
 * Access is decided before they run (lib/auth/access.ts: `ownWebhookEndpoint`), which hands them the endpoint.
 */

const deliveryPrefix = 'dlv_';
const eventPrefix = 'evt_';

/** A delivery's id names its event at its endpoint: `dlv_` and the event's ULID. */
export const deliveryIdOf = (eventId: string): string => (eventId.startsWith(eventPrefix) ? `${deliveryPrefix}${eventId.slice(eventPrefix.length)}` : `${deliveryPrefix}${eventId}`);
const eventIdOf = (deliveryId: string): string | undefined => (deliveryId.startsWith(deliveryPrefix) ? `${eventPrefix}${deliveryId.slice(deliveryPrefix.length)}` : undefined);

export function toDelivery(record: DeliveryRecord): WebhookDelivery {
  return {
    id: deliveryIdOf(record.eventId),
    endpointId: record.endpointId,
    eventId: record.eventId,
    type: record.event.type,
    status: record.status,
    attempts: record.attempts,
    createdAt: record.createdAt,
    ...(record.lastAttemptAt ? { lastAttemptAt: record.lastAttemptAt } : {}),
    ...(record.status === 'pending' && record.nextAttemptAt ? { nextAttemptAt: record.nextAttemptAt } : {}),
    ...(record.lastResponseStatus !== undefined ? { lastResponseStatus: record.lastResponseStatus } : {}),
    ...(record.lastError ? { lastError: record.lastError } : {}),
  };
}

const rateLimited = (now: Date) =>
  problem('RATE_LIMITED', 'test, retry and recover take at most 10 calls a minute per endpoint', {
    retryAfterSeconds: Math.max(1, Math.ceil((callMinute(now).endsAt.getTime() - now.getTime()) / 1000)),
  });

/** Writes `items` with one call counted against the endpoint's limit: 429 past it, nothing written. */
async function writeCounted(table: Table, endpoint: WebhookEndpointRecord, items: readonly TransactItem[], now: Date): Promise<void> {
  const outcome = await retryOnContention(async () => {
    const attempt = await labelledTransaction(table, [['calls', endpointCallCounted(table, endpoint, now)], ...items.map((item) => ['delivery', item] as const)]);
    return !attempt.ok && attempt.contention ? retry : attempt;
  });
  if (outcome.ok) return;
  if (outcome.failed.has('calls')) throw rateLimited(now);
  throw problem('NOT_FOUND', 'the delivery is gone');
}

/** A delivery due now at the owner's request; the stream tells the dispatcher, which starts it. */
function requested(delivery: DeliveryRecord, request: NonNullable<DeliveryRecord['requested']>, now: Date): DeliveryRecord {
  return { ...delivery, status: 'pending', nextAttemptAt: now.toISOString(), requested: request, requestedAt: now.toISOString() };
}

export async function testWebhookEndpoint(deps: { table: Table }, caller: Caller, endpoint: WebhookEndpointRecord, now: Date): Promise<WebhookDelivery> {
  // Stored in no feed: only the delivery carries it.
  const event: AuditEvent = { id: newId('evt', now), type: 'webhook.test', createdAt: now.toISOString(), actor: actorOf(caller), data: { endpointId: endpoint.id } };
  const delivery = requested({ endpointId: endpoint.id, ownerKey: endpoint.ownerKey, eventId: event.id, event, status: 'pending', attempts: 0, failures: 0, createdAt: now.toISOString() }, 'test', now);
  await writeCounted(deps.table, endpoint, [newDeliveryPut(deps.table, delivery, now)], now);
  return toDelivery(delivery);
}

export async function listWebhookDeliveries(deps: { table: Table }, endpoint: WebhookEndpointRecord, query: ListQuery): Promise<Page<WebhookDelivery>> {
  const page = await listDeliveries(deps.table, endpoint.id, { limit: query.limit, cursor: query.cursor });
  return { ...page, items: page.items.map(toDelivery) };
}

/** One more attempt now, whatever the status; a delivery that was pending keeps its schedule after it. */
export async function retryWebhookDelivery(deps: { table: Table }, endpoint: WebhookEndpointRecord, deliveryId: string, now: Date): Promise<WebhookDelivery> {
  const eventId = eventIdOf(deliveryId);
  const delivery = eventId === undefined ? undefined : await getDelivery(deps.table, endpoint.id, eventId);
  if (!delivery) throw problem('NOT_FOUND', `no delivery ${deliveryId}`);
  const next = { ...requested(delivery, 'retry', now), singleAttempt: delivery.status !== 'pending' };
  await writeCounted(deps.table, endpoint, [requestedDeliveryPut(deps.table, next, now)], now);
  return toDelivery(next);
}

/**
 * Every event since `since` the endpoint should have received and did not — deliveries that failed, or that
 * were logged unsent while it was disabled — sent again on a fresh schedule.
 */
export async function recoverWebhookDeliveries(deps: { table: Table }, endpoint: WebhookEndpointRecord, input: WebhookRecoverInput, now: Date): Promise<WebhookDelivery[]> {
  const since = new Date(input.since);
  if (now.getTime() - since.getTime() > webhookRecoverMaxDays * 24 * 60 * 60 * 1000) {
    throw problem('VALIDATION_FAILED', `recover reaches at most ${webhookRecoverMaxDays} days back`, { errors: [{ path: 'since', message: `at most ${webhookRecoverMaxDays} days ago` }] });
  }
  if (!endpoint.enabled) throw problem('CONFLICT', 'the endpoint is disabled: enable it before recovering what it missed');
  const missed = (await deliveriesSince(deps.table, endpoint.id, idBoundaryAt('evt', since))).filter(
    (delivery) => delivery.status === 'failed' && delivery.event.type !== 'webhook.test' && endpointTakes(endpoint, delivery.event),
  );
  const resent = missed.map((delivery) => ({ ...requested(delivery, 'recover', now), failures: 0 }));
  // The call counts with the first delivery; the rest follow one by one (each stands alone, and a transaction holds 100 items).
  const [first, ...rest] = resent;
  await writeCounted(deps.table, endpoint, first ? [requestedDeliveryPut(deps.table, first, now)] : [], now);
  await Promise.all(rest.map((delivery) => labelledTransaction(deps.table, [['delivery', requestedDeliveryPut(deps.table, delivery, now)]])));
  return resent.map(toDelivery);
}
