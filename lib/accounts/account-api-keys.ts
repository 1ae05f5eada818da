import type { Table } from '../platform/dynamodb.js';
import { generateApiKey, hashApiKey } from '../auth/api-keys.js';
import type { Caller } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Account, ApiKey, ApiKeyCreated, AuditEvent } from '@license-activation/contract/schemas';
import { addApiKey, apiKeyPrefixOf, getApiKey, listApiKeys, maxApiKeys, revokeApiKey, toApiKey } from '../data/api-keys.js';
import type { ApiKeyRecord } from '../data/api-keys.js';
import { retry, retryOnContention } from '../data/contention.js';
import type { Page } from '../data/pagination.js';
import { newId } from '../ids.js';

/**
 * An account's API keys (API.md §7), managed by its owners and ops — the routes' access decided who
 * (lib/auth/access.ts, `manageAccount`). Owners see the keys that act for their account and replace
 * them, so that a key that leaked, or that whoever registered the account kept, stops working.
 */

function keyEvent(type: 'api_key.created' | 'api_key.revoked', caller: Caller, account: Account, key: ApiKeyRecord, now: Date): AuditEvent {
  return {
    id: newId('evt', now),
    type,
    createdAt: now.toISOString(),
    actor: actorOf(caller),
    ...(account.kind === 'customer' ? { customerId: account.id } : {}),
    data: { accountId: account.id, keyId: key.id, prefix: key.prefix },
  };
}

export async function listAccountApiKeys(deps: { table: Table }, account: Account, page: { limit: number; cursor?: string }): Promise<Page<ApiKey>> {
  const result = await listApiKeys(deps.table, account.id, page);
  return { ...result, items: result.items.map(toApiKey) };
}

/** A new key for the account, shown only in this answer (the server keeps its hash); the sixth is 409. */
export async function createAccountApiKey(deps: { table: Table }, caller: Caller, account: Account, now: Date): Promise<ApiKeyCreated> {
  const key = generateApiKey();
  const record: ApiKeyRecord = { id: newId('key', now), accountId: account.id, kind: account.kind, name: account.name, prefix: apiKeyPrefixOf(key), hash: hashApiKey(key), createdAt: now.toISOString() };
  const outcome = await retryOnContention(async () => {
    const attempt = await addApiKey(deps.table, record, [keyEvent('api_key.created', caller, account, record, now)]);
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'too-many') throw problem('CONFLICT', `an account keeps at most ${maxApiKeys} API keys: revoke one first`);
  return { apiKey: { id: record.id, prefix: record.prefix, createdAt: record.createdAt }, key };
}

/** Revokes a key: refused at once by the functions that look keys up, within 60 seconds through the authorizer's cache. */
export async function revokeAccountApiKey(deps: { table: Table }, caller: Caller, account: Account, keyId: string, now: Date): Promise<void> {
  const outcome = await retryOnContention(async () => {
    const record = await getApiKey(deps.table, account.id, keyId);
    if (!record) return 'missing' as const;
    const attempt = await revokeApiKey(deps.table, record, [keyEvent('api_key.revoked', caller, account, record, now)]);
    return attempt === 'revoked' ? attempt : retry;
  });
  if (outcome === 'missing') throw problem('NOT_FOUND', `no API key ${keyId} in ${account.id}`);
}
