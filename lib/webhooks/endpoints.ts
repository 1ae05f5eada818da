import { problem } from '@license-activation/contract/problem';
import type { EventTypeName } from '@license-activation/contract/event-types';
import type { ListQuery, WebhookEndpoint, WebhookEndpointChange, WebhookEndpointInput } from '@license-activation/contract/schemas';
import { webhookOwnerKeyOf } from '../auth/access.js';
import type { Caller } from '../auth/principal.js';
import { retry, retryOnContention } from '../data/contention.js';
import type { Page } from '../data/pagination.js';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, replaceEndpoint } from '../data/webhook-endpoints.js';
import type { EndpointCreator, WebhookEndpointRecord, WebhookOwnerKind } from '../data/webhook-endpoints.js';
import { newId } from '../ids.js';
import { generateWebhookSecret, rotatedSecrets, sealWebhookSecret } from './secrets.js';
import { checkTarget } from './targets.js';
import type { WebhookDeps } from './webhook-deps.js';

/**
 * The routes of webhook endpoints (API.md §9): add, list, read, change, delete, rotate the secret. Who may
 * is decided before they run (lib/auth/access.ts: `manageWebhooks`, `ownWebhookEndpoint`), which hands
 * them the caller's endpoint as read in its owner's partition.
 */

/** Who a caller's endpoints belong to: the owner's key in the table, its kind, and the credential it used. */
interface WebhookOwner {
  readonly key: string;
  readonly kind: WebhookOwnerKind;
  readonly accountId?: string;
  readonly creator: EndpointCreator;
}

/** The owner a caller, already allowed to manage endpoints, adds and lists them as. */
function ownerOf(caller: Caller): WebhookOwner {
  const { account } = caller;
  const key = webhookOwnerKeyOf(caller);
  if (!account || key === undefined) throw new TypeError('webhook endpoints are managed by an account, as access decided');
  if (account.kind === 'ops') return { key, kind: 'vendor', creator: { kind: 'ops', id: 'ops' } };
  const creator: EndpointCreator = caller.person ? { kind: 'person', id: caller.person.id } : { kind: 'apiKey', id: account.apiKeyId ?? account.id };
  return { key, kind: account.kind, accountId: account.id, creator };
}

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

/** The endpoint as it is now, read again for a change's retry: 404 if it was deleted meanwhile. */
async function current(deps: Pick<WebhookDeps, 'table'>, endpoint: WebhookEndpointRecord): Promise<WebhookEndpointRecord> {
  const found = await getEndpoint(deps.table, endpoint.ownerKey, endpoint.id);
  if (!found) throw problem('NOT_FOUND', `no webhook endpoint ${endpoint.id}`);
  return found;
}

export async function createWebhookEndpoint(deps: WebhookDeps, caller: Caller, input: WebhookEndpointInput, now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const owner = ownerOf(caller);
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
  const page = await listEndpoints(deps.table, ownerOf(caller).key, { limit: query.limit, cursor: query.cursor });
  return { ...page, items: page.items.map(toEndpoint) };
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

export async function updateWebhookEndpoint(deps: WebhookDeps, endpoint: WebhookEndpointRecord, change: WebhookEndpointChange): Promise<WebhookEndpoint> {
  if (change.url !== undefined) await assertAcceptableUrl(deps, change.url);
  let read: WebhookEndpointRecord | undefined = endpoint;
  return retryOnContention(async () => {
    const latest = read ?? (await current(deps, endpoint));
    read = undefined;
    const next = changed(latest, change);
    const outcome = await replaceEndpoint(deps.table, next, latest.rev);
    return outcome === 'replaced' ? toEndpoint(next) : retry;
  });
}

export async function deleteWebhookEndpoint(deps: Pick<WebhookDeps, 'table'>, endpoint: WebhookEndpointRecord): Promise<void> {
  const outcome = await retryOnContention(async () => {
    const attempt = await deleteEndpoint(deps.table, endpoint.ownerKey, endpoint.id);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'missing') throw problem('NOT_FOUND', `no webhook endpoint ${endpoint.id}`);
}

export async function rotateWebhookSecret(deps: WebhookDeps, endpoint: WebhookEndpointRecord, now: Date): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = generateWebhookSecret();
  const sealed = await sealWebhookSecret(deps.secretBox, endpoint.id, secret, now);
  let read: WebhookEndpointRecord | undefined = endpoint;
  return retryOnContention(async () => {
    const latest = read ?? (await current(deps, endpoint));
    read = undefined;
    const next: WebhookEndpointRecord = { ...latest, secrets: rotatedSecrets(latest.secrets, sealed, now), secretRotatedAt: now.toISOString(), rev: latest.rev + 1 };
    const outcome = await replaceEndpoint(deps.table, next, latest.rev);
    return outcome === 'replaced' ? { endpoint: toEndpoint(next), secret } : retry;
  });
}
