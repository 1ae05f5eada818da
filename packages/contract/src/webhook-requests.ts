import * as z from './zod.js';
import { displayTextChecks, isoTime } from './fields.js';
import { eventTypes } from './event-types.js';
import { ListQuery } from './list-requests.js';
import type { RouteRequests } from './route-request.js';

/**
 * What the webhook routes accept (../shared/API.md §9), and each route's request. The URL's own rules
 * (scheme, host, port, addresses) depend on where the service runs (`npm start` allows `http://` and
 * loopback), so the service checks them beyond the length given here (lib/webhooks/endpoint-url.ts).
 * Each handler imports only its own area's module, so a function builds only the schemas it validates with.
 */

/** The longest URL an endpoint may have. */
export const webhookUrlMaxLength = 2048;

const url = z.string().check(z.minLength(1), z.maxLength(webhookUrlMaxLength));
/** Event types by name, at least one; absent means every type. */
const types = z.array(z.enum(eventTypes)).check(z.minLength(1), z.maxLength(eventTypes.length));
const description = z.string().check(z.trim(), ...displayTextChecks);

export const WebhookEndpointInput = z.strictObject({ url, types: z.optional(types), description: z.optional(description) });
export type WebhookEndpointInput = z.infer<typeof WebhookEndpointInput>;

/** A change to an endpoint: `null` clears `types` (every type again) or `description`. */
export const WebhookEndpointChange = z.strictObject({
  url: z.optional(url),
  types: z.optional(z.nullable(types)),
  description: z.optional(z.nullable(description)),
  enabled: z.optional(z.boolean()),
});
export type WebhookEndpointChange = z.infer<typeof WebhookEndpointChange>;

/** `recover`: events since this moment (at most 7 days back) the endpoint should have received and did not. */
export const WebhookRecoverInput = z.strictObject({ since: isoTime });
export type WebhookRecoverInput = z.infer<typeof WebhookRecoverInput>;

/** How far back `recover` may reach. */
export const webhookRecoverMaxDays = 7;

// A new schema for each parameter: the document describes each one on its own schema.
const segment = () => z.string().check(z.minLength(1));
export const WebhookEndpointPath = z.object({ endpointId: segment() });
export const WebhookDeliveryPath = z.object({ endpointId: segment(), deliveryId: segment() });

export const webhookRequests = {
  createWebhookEndpoint: { body: WebhookEndpointInput },
  listWebhookEndpoints: { query: ListQuery },
  getWebhookEndpoint: { params: WebhookEndpointPath },
  updateWebhookEndpoint: { params: WebhookEndpointPath, body: WebhookEndpointChange },
  deleteWebhookEndpoint: { params: WebhookEndpointPath },
  rotateWebhookSecret: { params: WebhookEndpointPath },
  testWebhookEndpoint: { params: WebhookEndpointPath },
  listWebhookDeliveries: { params: WebhookEndpointPath, query: ListQuery },
  retryWebhookDelivery: { params: WebhookDeliveryPath },
  recoverWebhookDeliveries: { params: WebhookEndpointPath, body: WebhookRecoverInput },
} as const satisfies RouteRequests;
