import { storedMemberships } from '#lib/auth/person-memberships.js';
import { table } from '#lib/platform/dynamodb.js';
import { webhookRequests } from '@license-activation/contract/webhook-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { listWebhookDeliveries, recoverWebhookDeliveries, retryWebhookDelivery, testWebhookEndpoint } from '#lib/webhooks/deliveries.js';

const verifiers = { memberships: storedMemberships };

/** An endpoint's deliveries (API.md §9): its log, a test, a retry, `recover`. They write what is due; the dispatcher sends it. */
export const handler = handlerPerRoute({
  testWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'testWebhookEndpoint'), async ({ caller, params, now }) => ({
    status: 202,
    body: { delivery: await testWebhookEndpoint({ table: table() }, caller, params.endpointId, now) },
  }), verifiers),
  listWebhookDeliveries: httpHandler(requestsOf(webhookRequests, 'listWebhookDeliveries'), async ({ caller, params, query }) => ({
    status: 200,
    body: await listWebhookDeliveries({ table: table() }, caller, params.endpointId, query),
  }), verifiers),
  retryWebhookDelivery: httpHandler(requestsOf(webhookRequests, 'retryWebhookDelivery'), async ({ caller, params, now }) => ({
    status: 202,
    body: { delivery: await retryWebhookDelivery({ table: table() }, caller, params.endpointId, params.deliveryId, now) },
  }), verifiers),
  recoverWebhookDeliveries: httpHandler(requestsOf(webhookRequests, 'recoverWebhookDeliveries'), async ({ caller, params, body, now }) => ({
    status: 202,
    body: { deliveries: await recoverWebhookDeliveries({ table: table() }, caller, params.endpointId, body, now) },
  }), verifiers),
});
