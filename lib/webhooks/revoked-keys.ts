import type { Table } from '../platform/dynamodb.js';
import { endpointsOf, recordEndpointHealth } from '../data/webhook-endpoints.js';

/**
 * An endpoint remembers the API key that created it; revoking that key disables it (`KEY_REVOKED`), so that
 * a leaked key cannot keep events flowing to wherever it pointed them (API.md §9). Called by the stream
 * consumer when a key's lookup item leaves the table (revocation deletes it, lib/data/api-keys.ts).
 */
export async function disableEndpointsOfRevokedKey(table: Table, args: { accountId: string; apiKeyId: string }): Promise<number> {
  const created = (await endpointsOf(table, args.accountId)).filter((endpoint) => endpoint.createdBy.kind === 'apiKey' && endpoint.createdBy.id === args.apiKeyId);
  await Promise.all(created.map((endpoint) => recordEndpointHealth(table, endpoint, { disable: 'KEY_REVOKED' })));
  return created.length;
}
