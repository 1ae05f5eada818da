import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { webhookRequests } from '@license-activation/contract/webhook-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { createWebhookEndpoint, deleteWebhookEndpoint, listWebhookEndpoints, rotateWebhookSecret, toEndpoint, updateWebhookEndpoint } from '#lib/webhooks/endpoints.js';
import { processWebhookDeps } from '#lib/webhooks/process-webhook-deps.js';

const verifiers = { memberships: storedMemberships, resources: storedResources };

/** Webhook endpoints (API.md §9): the acting account's, or ops' vendor-wide ones. */
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
});
