import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { secretBox } from '#lib/keys/process-secret-box.js';
import { accountOf, actorOf } from '#lib/auth/principal.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { issueLicense } from '#lib/licenses/issue-license.js';

export const handler = httpHandler(requestsOf(licenseRequests, 'issueLicense'), async ({ body, headers: { 'Idempotency-Key': idempotencyKey }, caller, now }) => {
  const { issued, replayed } = await issueLicense(
    { table: table(), catalog: catalog(), secretBox: secretBox() },
    { issuer: accountOf(caller), actor: actorOf(caller), input: body, idempotencyKey, now },
  );
  const headers: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
  return { status: 201, body: issued, headers };
}, { memberships: storedMemberships, resources: storedResources });
