import type { Table } from '../platform/dynamodb.js';
import { logger } from '../platform/logger.js';
import { findApiKeyByHash, recordApiKeyUse } from '../data/api-keys.js';
import { hashApiKey, sameSecret } from './api-keys.js';
import { opsPrincipal } from './principal.js';
import type { AccountPrincipal, PersonPrincipal } from './principal.js';
import { authenticatePerson, looksLikeJwt } from './person-tokens.js';

export interface ApiKeyAuthenticationDeps {
  readonly table: Table;
  readonly opsApiKey: () => Promise<string | undefined>;
}

/**
 * The one place an API key becomes a principal: the Lambda authorizer on AWS, the local server,
 * and the handlers of routes that accept either an installation or an account all call it.
 * Undefined means the key is unknown (or revoked). Records the key's use at most once an hour.
 */
export async function authenticateApiKey(apiKey: string, deps: ApiKeyAuthenticationDeps, now: Date = new Date()): Promise<AccountPrincipal | undefined> {
  const ops = await deps.opsApiKey();
  if (ops && sameSecret(apiKey, ops)) return opsPrincipal;
  const found = await findApiKeyByHash(deps.table, hashApiKey(apiKey));
  if (!found) return undefined;
  await recordApiKeyUse(deps.table, found, now).catch((error: unknown) => logger.warn('could not record an API key use', { keyId: found.id, error }));
  return { kind: found.kind, id: found.accountId, name: found.name, apiKeyId: found.id };
}

/**
 * A bearer credential: a person's access token (a JWT) or an API key (opaque). Undefined means an
 * unknown key; an invalid token is 401 and an unreachable directory 503 straight away.
 */
export function authenticateBearer(credential: string, deps: ApiKeyAuthenticationDeps): Promise<AccountPrincipal | PersonPrincipal | undefined> {
  return looksLikeJwt(credential) ? authenticatePerson(credential) : authenticateApiKey(credential, deps);
}
