import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { table } from '#lib/platform/dynamodb.js';
import { webhookRequests } from '@license-activation/contract/webhook-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { listWebhookDeliveries, recoverWebhookDeliveries, retryWebhookDelivery, testWebhookEndpoint } from '#lib/webhooks/deliveries.js';
import { createWebhookEndpoint, deleteWebhookEndpoint, listWebhookEndpoints, rotateWebhookSecret, toEndpoint, updateWebhookEndpoint } from '#lib/webhooks/endpoints.js';
import { processWebhookDeps } from '#lib/webhooks/process-webhook-deps.js';

const verifiers = { memberships: storedMemberships, resources: storedResources };

/**
 * Webhooks (API.md §9), one function for the family as `members` is for people: the acting account's
 * endpoints (ops: the vendor-wide ones), and their deliveries — the log, a test, a retry, `recover`, which
 * write what is due; the dispatcher sends it.
 */
export const handler = handlerPerRoute({
  createWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'createWebhookEndpoint'), async ({ caller, body, now }) => ({
    status: 201,
    body: await createWebhookEndpoint(processWebhookDeps(), caller, body, now),
  }), verifiers),
  listWebhookEndpoints: httpHandler(requestsOf(webhookRequests, 'listWebhookEndpoints'), async ({ caller, query }) => ({
    status: 200,
    body: await listWebhookEndpoints(processWebhookDeps(), caller, query),
  }), verifiers),
  getWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'getWebhookEndpoint'), async ({ resource }) => ({
    status: 200,
    body: { endpoint: toEndpoint(resource) },
  }), verifiers),
  updateWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'updateWebhookEndpoint'), async ({ resource, body }) => ({
    status: 200,
    body: { endpoint: await updateWebhookEndpoint(processWebhookDeps(), resource, body) },
  }), verifiers),
  deleteWebhookEndpoint: httpHandler(requestsOf(webhookRequests, 'deleteWebhookEndpoint'), async ({ resource }) => {
    await deleteWebhookEndpoint(processWebhookDeps(), resource);
    return { status: 204 };
  }, verifiers),
  rotateWebhookSecret: httpHandler(requestsOf(webhookRequests, 'rotateWebhookSecret'), async ({ resource, now }) => ({
    status: 200,
    body: await rotateWebhookSecret(processWebhookDeps(), resource, now),
  }), verifiers),
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
