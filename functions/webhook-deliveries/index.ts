import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { table } from '#lib/platform/dynamodb.js';
import { webhookRequests } from '@license-activation/contract/webhook-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { listWebhookDeliveries, recoverWebhookDeliveries, retryWebhookDelivery, testWebhookEndpoint } from '#lib/webhooks/deliveries.js';

const verifiers = { memberships: storedMemberships, resources: storedResources };

/** An endpoint's deliveries (API.md §9): its log, a test, a retry, `recover`. They write what is due; the dispatcher sends it. */
export const handler = handlerPerRoute({
  testWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'testWebhookEndpoint'), async ({ caller, resource, now }) => ({
    status: 202,
    body: { delivery: await testWebhookEndpoint({ table: table() }, caller, resource, now) },
  }), verifiers),
  listWebhookDeliveries: httpHandler(requestsOf(webhookRequests, 'listWebhookDeliveries'), async ({ resource, query }) => ({
    status: 200,
    body: await listWebhookDeliveries({ table: table() }, resource, query),
  }), verifiers),
  retryWebhookDelivery: httpHandler(requestsOf(webhookRequests, 'retryWebhookDelivery'), async ({ resource, params, now }) => ({
    status: 202,
    body: { delivery: await retryWebhookDelivery({ table: table() }, resource, params.deliveryId, now) },
  }), verifiers),
  recoverWebhookDeliveries: httpHandler(requestsOf(webhookRequests, 'recoverWebhookDeliveries'), async ({ resource, body, now }) => ({
    status: 202,
    body: { deliveries: await recoverWebhookDeliveries({ table: table() }, resource, body, now) },
  }), verifiers),
});
