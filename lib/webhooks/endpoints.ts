import { problem } from '@license-activation/contract/problem';
import type { EventTypeName } from '@license-activation/contract/event-types';
import type { ListQuery, WebhookEndpoint, WebhookEndpointChange, WebhookEndpointInput } from '@license-activation/contract/schemas';
import type { Caller } from '../auth/principal.js';
import { retry, retryOnContention } from '../data/contention.js';
import type { Page } from '../data/pagination.js';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, replaceEndpoint } from '../data/webhook-endpoints.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import { newId } from '../ids.js';
import { generateWebhookSecret, rotatedSecrets, sealWebhookSecret } from './secrets.js';
import { checkTarget } from './targets.js';
import { webhookOwnerOf } from './webhook-access.js';
import type { WebhookOwner } from './webhook-access.js';
import type { WebhookDeps } from './webhook-deps.js';

/** The routes of webhook endpoints (API.md §9): add, list, read, change, delete, rotate the secret. */

export function toEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  return {
    id: record.id,
    ...(record.accountId ? { accountId: record.accountId } : {}),
    url: record.url,
    ...(record.types ? { types: [...record.types] } : {}),
    ...(record.description !== undefined ? { description: record.description } : {}),
    enabled: record.enabled,
    ...(record.disabledReason ? { disabledReason: record.disabledReason } : {}),
    createdAt: record.createdAt,
    ...(record.secretRotatedAt ? { secretRotatedAt: record.secretRotatedAt } : {}),
  };
}

/** 400 naming `url` when it breaks a rule; a host that does not resolve yet is accepted (checked again at every attempt). */
async function assertAcceptableUrl(deps: WebhookDeps, url: string): Promise<void> {
  const check = await checkTarget(url, deps.targets);
  if (check.kind === 'refused') throw problem('VALIDATION_FAILED', `the URL is not accepted: ${check.reason}`, { errors: [{ path: 'url', message: check.reason }] });
}

const distinct = (types: readonly EventTypeName[] | undefined) => (types ? [...new Set(types)] : undefined);

/** The caller's endpoint, or 404 whether it exists under another owner or not at all. */
export async function ownEndpoint(deps: Pick<WebhookDeps, 'table'>, owner: WebhookOwner, endpointId: string): Promise<WebhookEndpointRecord> {
  const endpoint = await getEndpoint(deps.table, owner.key, endpointId);
  if (!endpoint) throw problem('NOT_FOUND', `no webhook endpoint ${endpointId}`);
  return endpoint;
}

export async function createWebhookEndpoint(deps: WebhookDeps, caller: Caller, input: WebhookEndpointInput, now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const owner = webhookOwnerOf(caller);
  await assertAcceptableUrl(deps, input.url);
  const id = newId('whe', now);
  const secret = generateWebhookSecret();
  // Sealed before anything is written: a KMS failure leaves nothing behind.
  const sealed = await sealWebhookSecret(deps.secretBox, id, secret, now);
  const types = distinct(input.types);
  const record: WebhookEndpointRecord = {
    id,
    ownerKey: owner.key,
    ownerKind: owner.kind,
    ...(owner.accountId ? { accountId: owner.accountId } : {}),
    url: input.url,
    ...(types ? { types } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    enabled: true,
    createdAt: now.toISOString(),
    secrets: [sealed],
    createdBy: owner.creator,
    rev: 1,
  };
  const outcome = await retryOnContention(async () => {
    const attempt = await createEndpoint(deps.table, record);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'limit') throw problem('CONFLICT', 'an account holds at most 10 webhook endpoints: delete one first');
  return { endpoint: toEndpoint(record), secret };
}

export async function listWebhookEndpoints(deps: Pick<WebhookDeps, 'table'>, caller: Caller, query: ListQuery): Promise<Page<WebhookEndpoint>> {
  const page = await listEndpoints(deps.table, webhookOwnerOf(caller).key, { limit: query.limit, cursor: query.cursor });
  return { ...page, items: page.items.map(toEndpoint) };
}

export async function getWebhookEndpoint(deps: Pick<WebhookDeps, 'table'>, caller: Caller, endpointId: string): Promise<WebhookEndpoint> {
  return toEndpoint(await ownEndpoint(deps, webhookOwnerOf(caller), endpointId));
}

/** The endpoint with the owner's change applied: enabling or disabling it clears the service's reason and the failing streak. */
function changed(endpoint: WebhookEndpointRecord, change: WebhookEndpointChange): WebhookEndpointRecord {
  const types = change.types === undefined ? endpoint.types : distinct(change.types ?? undefined);
  const description = change.description === undefined ? endpoint.description : (change.description ?? undefined);
  const switched = change.enabled !== undefined && change.enabled !== endpoint.enabled;
  return {
    ...endpoint,
    url: change.url ?? endpoint.url,
    types,
    description,
    enabled: change.enabled ?? endpoint.enabled,
    disabledReason: switched ? undefined : endpoint.disabledReason,
    failingSince: switched ? undefined : endpoint.failingSince,
    rev: endpoint.rev + 1,
  };
}

export async function updateWebhookEndpoint(deps: WebhookDeps, caller: Caller, endpointId: string, change: WebhookEndpointChange): Promise<WebhookEndpoint> {
  const owner = webhookOwnerOf(caller);
  if (change.url !== undefined) await assertAcceptableUrl(deps, change.url);
  return retryOnContention(async () => {
    const endpoint = await ownEndpoint(deps, owner, endpointId);
    const next = changed(endpoint, change);
    const outcome = await replaceEndpoint(deps.table, next, endpoint.rev);
    return outcome === 'replaced' ? toEndpoint(next) : retry;
  });
}

export async function deleteWebhookEndpoint(deps: Pick<WebhookDeps, 'table'>, caller: Caller, endpointId: string): Promise<void> {
  const owner = webhookOwnerOf(caller);
  const outcome = await retryOnContention(async () => {
    const attempt = await deleteEndpoint(deps.table, owner.key, endpointId);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'missing') throw problem('NOT_FOUND', `no webhook endpoint ${endpointId}`);
}

export async function rotateWebhookSecret(deps: WebhookDeps, caller: Caller, endpointId: string, now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const owner = webhookOwnerOf(caller);
  await ownEndpoint(deps, owner, endpointId);
  const secret = generateWebhookSecret();
  const sealed = await sealWebhookSecret(deps.secretBox, endpointId, secret, now);
  return retryOnContention(async () => {
    const endpoint = await ownEndpoint(deps, owner, endpointId);
    const next: WebhookEndpointRecord = { ...endpoint, secrets: rotatedSecrets(endpoint.secrets, sealed, now), secretRotatedAt: now.toISOString(), rev: endpoint.rev + 1 };
    const outcome = await replaceEndpoint(deps.table, next, endpoint.rev);
    return outcome === 'replaced' ? { endpoint: toEndpoint(next), secret } : retry;
  });
}
