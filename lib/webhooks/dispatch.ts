import type { AuditEvent } from '@license-activation/contract/schemas';
import { vendorWebhookOwner } from '../auth/access.js';
import { feedReadBy } from '../auth/access-facts.js';
import { opsPrincipal } from '../auth/principal.js';
import type { Caller } from '../auth/principal.js';
import { markEventDispatched } from '../data/events.js';
import type { OutboxEvent } from '../data/events.js';
import { partitions } from '../data/keys.js';
import { putNewDelivery } from '../data/webhook-deliveries.js';
import type { DeliveryRecord, DeliveryRef } from '../data/webhook-deliveries.js';
import { endpointsOf, resellersWithEndpoints } from '../data/webhook-endpoints.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import type { Table } from '../platform/dynamodb.js';
import type { DeliveryDeps } from './webhook-deps.js';

/**
 * Turns a committed event into its deliveries and its entry on the event bus, then takes it out of the
 * outbox. Every step may run twice (the stream delivers at least once, and the sweep may meet the same
 * event): a delivery is written only if absent, and the bus is at least once too. No delivery is attempted
 * here: the pending ones are handed back to be started apart, so that a slow endpoint holds up nothing.
 */

/** An endpoint that receives an event, and the feed through which its owner reads it (absent for the vendor's: every event). */
interface Recipient {
  readonly endpoint: WebhookEndpointRecord;
  readonly viaFeed?: string;
}

/** Whether an endpoint takes an event at all: committed after its creation, and of a type it subscribed to. */
export function endpointTakes(endpoint: Pick<WebhookEndpointRecord, 'createdAt' | 'types'>, event: Pick<AuditEvent, 'createdAt' | 'type'>): boolean {
  return event.createdAt >= endpoint.createdAt && (endpoint.types === undefined || endpoint.types.includes(event.type));
}

/** The caller an endpoint's owner is, as the event routes would see it: ops for vendor-wide endpoints, else its account. */
export function ownerCallerOf(endpoint: Pick<WebhookEndpointRecord, 'ownerKind' | 'ownerKey'>): Caller {
  return endpoint.ownerKind === 'vendor' ? { account: opsPrincipal } : { account: { kind: endpoint.ownerKind, id: endpoint.ownerKey } };
}

/**
 * Every endpoint whose owner reads the event now (API.md §9), once each, narrowed by creation time and
 * types: the vendor's every event; an account's, the events the event routes of section 4 let it read,
 * decided by lib/auth/access.ts on the facts lib/auth/access-facts.ts reads (`feedReadBy`). The owners
 * that may read an event are the accounts whose feeds hold it and the resellers that have endpoints.
 */
export async function recipientsOf(table: Table, entry: OutboxEvent): Promise<Recipient[]> {
  const accounts = entry.feeds.filter((feed) => feed.startsWith(partitions.account)).map((feed) => feed.slice(partitions.account.length));
  const [vendor, resellers, ...ownEndpoints] = await Promise.all([
    endpointsOf(table, vendorWebhookOwner),
    accounts.length > 0 ? resellersWithEndpoints(table) : Promise.resolve([]),
    ...accounts.map((accountId) => endpointsOf(table, accountId)),
  ]);
  const owners = new Map<string, WebhookEndpointRecord[]>();
  accounts.forEach((accountId, index) => {
    const endpoints = ownEndpoints[index] ?? [];
    if (endpoints.length > 0) owners.set(accountId, endpoints);
  });
  const resellersToRead = resellers.filter((resellerId) => !owners.has(resellerId));
  const [readers, resellerEndpoints] = await Promise.all([
    Promise.all([...owners.values()].map(async (endpoints) => (endpoints[0] ? feedReadBy(table, ownerCallerOf(endpoints[0]), entry.feeds) : undefined))),
    Promise.all(
      resellersToRead.map(async (resellerId) => {
        const viaFeed = await feedReadBy(table, { account: { kind: 'reseller', id: resellerId } }, entry.feeds);
        return viaFeed === undefined ? [] : (await endpointsOf(table, resellerId)).map((endpoint) => ({ endpoint, viaFeed }));
      }),
    ),
  ]);
  const recipients: Recipient[] = [
    ...vendor.map((endpoint) => ({ endpoint })),
    ...[...owners.values()].flatMap((endpoints, index) => {
      const viaFeed = readers[index];
      return viaFeed === undefined ? [] : endpoints.map((endpoint) => ({ endpoint, viaFeed }));
    }),
    ...resellerEndpoints.flat(),
  ];
  return recipients.filter(({ endpoint }) => endpointTakes(endpoint, entry.event));
}

/**
 * Whether an endpoint's owner still reads a delivery's event, checked at each attempt only to drop: the
 * same decision as at dispatch, on the feed it was read through (a reseller's association may have ended).
 */
export async function ownerStillReads(table: Table, endpoint: WebhookEndpointRecord, delivery: Pick<DeliveryRecord, 'viaFeed'>): Promise<boolean> {
  if (endpoint.ownerKind === 'vendor' || delivery.viaFeed === undefined) return true;
  return (await feedReadBy(table, ownerCallerOf(endpoint), [delivery.viaFeed])) !== undefined;
}

/** A new delivery of `event` to `endpoint`: due now if the endpoint is enabled, else logged as not sent (`recover` may send it later). */
export function newDelivery(endpoint: WebhookEndpointRecord, event: AuditEvent, now: Date, viaFeed?: string): DeliveryRecord {
  const base = { endpointId: endpoint.id, ownerKey: endpoint.ownerKey, eventId: event.id, event, attempts: 0, failures: 0, createdAt: now.toISOString(), ...(viaFeed ? { viaFeed } : {}) };
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
    recipients.map(async ({ endpoint, viaFeed }) => {
      const delivery = newDelivery(endpoint, entry.event, now, viaFeed);
      await putNewDelivery(deps.table, delivery, now);
      if (delivery.status === 'pending') started.push({ endpointId: delivery.endpointId, eventId: delivery.eventId });
    }),
  );
  await deps.bus?.publish([entry.event]);
  await markEventDispatched(deps.table, entry);
  return started;
}
