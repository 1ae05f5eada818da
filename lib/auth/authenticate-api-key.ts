import type { Table } from '../platform/dynamodb.js';
import { findAccountByApiKeyHash } from '../data/api-keys.js';
import { apiKeyIdOf, hashApiKey, sameSecret } from './api-keys.js';
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
 * Undefined means the key is unknown.
 */
export async function authenticateApiKey(apiKey: string, deps: ApiKeyAuthenticationDeps): Promise<AccountPrincipal | undefined> {
  const ops = await deps.opsApiKey();
  if (ops && sameSecret(apiKey, ops)) return opsPrincipal;
  const apiKeyHash = hashApiKey(apiKey);
  const found = await findAccountByApiKeyHash(deps.table, apiKeyHash);
  return found ? { kind: found.kind, id: found.accountId, apiKeyId: apiKeyIdOf(apiKeyHash) } : undefined;
}

/**
 * A bearer credential: a person's access token (a JWT) or an API key (opaque). Undefined means an
 * unknown key; an invalid token is 401 and an unreachable directory 503 straight away.
 */
export function authenticateBearer(credential: string, deps: ApiKeyAuthenticationDeps): Promise<AccountPrincipal | PersonPrincipal | undefined> {
  return looksLikeJwt(credential) ? authenticatePerson(credential) : authenticateApiKey(credential, deps);
}
