import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { restoreInstallation } from '#lib/installations/restore-installation.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'getInstallation'),
  async ({ resource, caller, now }) => ({
    status: 200,
    body: await restoreInstallation(installationDeps(), { caller, installation: resource, now }),
  }),
  { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships, resources: storedResources },
);
