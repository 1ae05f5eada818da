import { problem } from '@license-activation/contract/problem';
import type { AuditEvent } from '@license-activation/contract/schemas';
import type { Caller } from '../auth/principal.js';
import { isAssociated } from '../data/associations.js';
import { partitions } from '../data/keys.js';
import type { DeliveryRecord } from '../data/webhook-deliveries.js';
import type { EndpointCreator, WebhookEndpointRecord, WebhookOwnerKind } from '../data/webhook-endpoints.js';
import type { Table } from '../platform/dynamodb.js';

/**
 * Every access decision of the webhooks, in one place (API.md §9): who owns the endpoints a caller manages,
 * and which endpoints may receive an event. (Branch issue-25 gathers access decisions into lib/auth; these
 * are meant to move there.)
 *
 * - An endpoint belongs to the account the caller acts as — a customer, a reseller, or a person through an
 *   **owner** membership of one (a plain member may not) — or, for ops, to the vendor: vendor-wide. Another
 *   owner's endpoint is not found (404), ops' included: endpoints are reached through their owner only.
 * - An endpoint receives the events its owner could read through the event routes when the event commits:
 *   a customer the events in its own feed, a reseller those of the customers associated with it, the vendor
 *   every event; and access is checked again at each attempt, only ever to drop.
 */

/** Who a caller manages endpoints as: the owner's key in the table, its kind, and the credential it used. */
export interface WebhookOwner {
  readonly key: string;
  readonly kind: WebhookOwnerKind;
  readonly accountId?: string;
  readonly creator: EndpointCreator;
}

/** The owner ops' endpoints belong to. */
export const vendorOwnerKey = 'vendor';

export function webhookOwnerOf(caller: Caller): WebhookOwner {
  const account = caller.account;
  if (!account) throw problem('UNAUTHENTICATED', 'this route needs an API key');
  if (account.kind === 'ops') return { key: vendorOwnerKey, kind: 'vendor', creator: { kind: 'ops', id: 'ops' } };
  if (caller.person) {
    if (caller.membership?.role !== 'owner') throw problem('FORBIDDEN', "only an account's owners manage its webhook endpoints");
    return { key: account.id, kind: account.kind, accountId: account.id, creator: { kind: 'person', id: caller.person.id } };
  }
  return { key: account.id, kind: account.kind, accountId: account.id, creator: { kind: 'apiKey', id: account.apiKeyId ?? account.id } };
}

/** The accounts whose own feeds hold an event: its readers among customers (a reseller's own feed is read by ops alone). */
export function accountFeedsOf(feeds: readonly string[]): string[] {
  return feeds.filter((feed) => feed.startsWith(partitions.account)).map((feed) => feed.slice(partitions.account.length));
}

/** Whether an endpoint takes an event at all: committed after its creation, and of a type it subscribed to. */
export function endpointTakes(endpoint: Pick<WebhookEndpointRecord, 'createdAt' | 'types'>, event: Pick<AuditEvent, 'createdAt' | 'type'>): boolean {
  return event.createdAt >= endpoint.createdAt && (endpoint.types === undefined || endpoint.types.includes(event.type));
}

/**
 * Whether an endpoint's owner reads an event in the feed of account `feedAccountId`: a customer its own
 * feed, a reseller a feed of a customer associated with it (`associated`), the vendor every feed.
 */
export function ownerReadsFeed(endpoint: Pick<WebhookEndpointRecord, 'ownerKind' | 'accountId'>, feedAccountId: string, associated: boolean): boolean {
  switch (endpoint.ownerKind) {
    case 'vendor':
      return true;
    case 'customer':
      return endpoint.accountId === feedAccountId;
    case 'reseller':
      return associated;
  }
}

/**
 * Whether an endpoint's owner still sees a delivery's event, checked at each attempt: only ever to drop. A
 * customer's own events and the vendor's stay visible; a reseller's, while it still manages the customer
 * through whom it saw the event.
 */
export async function ownerStillSees(table: Table, endpoint: Pick<WebhookEndpointRecord, 'ownerKind' | 'accountId'>, delivery: Pick<DeliveryRecord, 'viaCustomerId'>): Promise<boolean> {
  if (endpoint.ownerKind !== 'reseller' || !endpoint.accountId || !delivery.viaCustomerId) return true;
  return isAssociated(table, endpoint.accountId, delivery.viaCustomerId);
}
