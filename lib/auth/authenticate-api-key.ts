import type { Table } from '../platform/dynamodb.js';
import { findAccountByApiKeyHash } from '../data/api-keys.js';
import { hashApiKey, sameSecret } from './api-keys.js';
import { opsPrincipal } from './principal.js';
import type { AccountPrincipal } from './principal.js';

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
  const found = await findAccountByApiKeyHash(deps.table, hashApiKey(apiKey));
  return found ? { kind: found.kind, id: found.accountId } : undefined;
}
