import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { table } from '#lib/platform/dynamodb.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { releaseActivation } from '#lib/installations/release-activation.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'releaseActivation'),
  async ({ params, resource, caller, now }) => {
    await releaseActivation({ table: table() }, { caller, installation: resource, licenseId: params.licenseId, now });
    return { status: 204 };
  },
  { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships, resources: storedResources },
);
