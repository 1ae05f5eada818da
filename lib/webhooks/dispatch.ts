import type { AuditEvent } from '@license-activation/contract/schemas';
import { batchGet, mapKey } from '../data/batch-get.js';
import { markEventDispatched } from '../data/events.js';
import type { OutboxEvent } from '../data/events.js';
import { keys } from '../data/keys.js';
import { putNewDelivery } from '../data/webhook-deliveries.js';
import type { DeliveryRecord, DeliveryRef } from '../data/webhook-deliveries.js';
import { endpointsOf, resellersWithEndpoints } from '../data/webhook-endpoints.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import type { Table } from '../platform/dynamodb.js';
import { accountFeedsOf, endpointTakes, ownerReadsFeed, vendorOwnerKey } from './webhook-access.js';
import type { DeliveryDeps } from './webhook-deps.js';

/**
 * Turns a committed event into its deliveries and its entry on the event bus, then takes it out of the
 * outbox. Every step may run twice (the stream delivers at least once, and the sweep may meet the same
 * event): a delivery is written only if absent, and the bus is at least once too. No delivery is attempted
 * here: the pending ones are handed back to be started apart, so that a slow endpoint holds up nothing.
 */

/** An endpoint that receives an event, and through which customer its owner sees it (a reseller's). */
interface Recipient {
  readonly endpoint: WebhookEndpointRecord;
  readonly viaCustomerId?: string;
}

const associationsPerBatch = 100;

/** Which of `pairs` (reseller, customer) are associated: one BatchGetItem per 100. */
async function associatedPairs(table: Table, pairs: ReadonlyArray<readonly [string, string]>): Promise<Array<readonly [string, string]>> {
  const found: Array<readonly [string, string]> = [];
  for (let start = 0; start < pairs.length; start += associationsPerBatch) {
    const batch = pairs.slice(start, start + associationsPerBatch);
    const items = await batchGet(table, batch.map(([resellerId, customerId]) => keys.association(resellerId, customerId)));
    found.push(...batch.filter(([resellerId, customerId]) => items.has(mapKey(keys.association(resellerId, customerId)))));
  }
  return found;
}

/** Every endpoint whose owner reads the event now, once each, narrowed by creation time and types. */
export async function recipientsOf(table: Table, entry: OutboxEvent): Promise<Recipient[]> {
  const accounts = accountFeedsOf(entry.feeds);
  const [vendor, ...ownFeeds] = await Promise.all([endpointsOf(table, vendorOwnerKey), ...accounts.map((accountId) => endpointsOf(table, accountId))]);
  const recipients: Recipient[] = (vendor ?? []).map((endpoint) => ({ endpoint }));
  accounts.forEach((accountId, index) => {
    for (const endpoint of ownFeeds[index] ?? []) if (ownerReadsFeed(endpoint, accountId, false)) recipients.push({ endpoint });
  });
  if (accounts.length > 0) {
    const resellers = await resellersWithEndpoints(table);
    const pairs = resellers.flatMap((resellerId) => accounts.filter((accountId) => accountId !== resellerId).map((accountId) => [resellerId, accountId] as const));
    const associated = await associatedPairs(table, pairs);
    const viaCustomer = new Map<string, string>();
    for (const [resellerId, customerId] of associated) if (!viaCustomer.has(resellerId)) viaCustomer.set(resellerId, customerId);
    const resellerEndpoints = await Promise.all([...viaCustomer.keys()].map((resellerId) => endpointsOf(table, resellerId)));
    for (const endpoints of resellerEndpoints) {
      for (const endpoint of endpoints) {
        const via = endpoint.accountId === undefined ? undefined : viaCustomer.get(endpoint.accountId);
        if (via !== undefined && ownerReadsFeed(endpoint, via, true)) recipients.push({ endpoint, viaCustomerId: via });
      }
    }
  }
  return recipients.filter(({ endpoint }) => endpointTakes(endpoint, entry.event));
}

/** A new delivery of `event` to `endpoint`: due now if the endpoint is enabled, else logged as not sent (`recover` may send it later). */
export function newDelivery(endpoint: WebhookEndpointRecord, event: AuditEvent, now: Date, viaCustomerId?: string): DeliveryRecord {
  const base = { endpointId: endpoint.id, ownerKey: endpoint.ownerKey, eventId: event.id, event, attempts: 0, failures: 0, createdAt: now.toISOString(), ...(viaCustomerId ? { viaCustomerId } : {}) };
  return endpoint.enabled
    ? { ...base, status: 'pending', nextAttemptAt: now.toISOString() }
    : { ...base, status: 'failed', lastError: `not sent: the endpoint was disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}` };
}

/**
 * Dispatches one outbox event; answers the deliveries to start now: the pending ones, whether this call
 * wrote them or an earlier one did (then starting them again is harmless: an attempt claims its delivery).
 */
export async function dispatchEvent(deps: Pick<DeliveryDeps, 'table' | 'bus'>, entry: OutboxEvent, now: Date): Promise<DeliveryRef[]> {
  const recipients = await recipientsOf(deps.table, entry);
  const started: DeliveryRef[] = [];
  await Promise.all(
    recipients.map(async ({ endpoint, viaCustomerId }) => {
      const delivery = newDelivery(endpoint, entry.event, now, viaCustomerId);
      await putNewDelivery(deps.table, delivery, now);
      if (delivery.status === 'pending') started.push({ endpointId: delivery.endpointId, eventId: delivery.eventId });
    }),
  );
  await deps.bus?.publish([entry.event]);
  await markEventDispatched(deps.table, entry);
  return started;
}
