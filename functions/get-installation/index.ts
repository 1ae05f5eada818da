import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { handlerPerRoute, httpHandler } from '#lib/http/http-handler.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { getInstallationState, restoreForOwner } from '#lib/installations/restore-installation.js';
import { clearClone } from '#lib/installations/clear-clone.js';

/** An installation as its owners and the installation itself see it, and what section 10 lets owners do to its copies. */
export const handler = handlerPerRoute({
  getInstallation: httpHandler(
    requestsOf(installationRequests, 'getInstallation'),
    async ({ resource, query, caller, now }) => ({
      status: 200,
      body: await getInstallationState(installationDeps(), { caller, installation: resource, ...(query.chain === undefined ? {} : { chain: query.chain }), now }),
    }),
    { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships, resources: storedResources },
  ),
  restoreInstallation: httpHandler(
    requestsOf(installationRequests, 'restoreInstallation'),
    async ({ resource, caller, now }) => ({ status: 200, body: await restoreForOwner(installationDeps(), { caller, installation: resource, now }) }),
    { memberships: storedMemberships, resources: storedResources },
  ),
  clearClone: httpHandler(
    requestsOf(installationRequests, 'clearClone'),
    async ({ resource, caller, now }) => ({ status: 200, body: { installation: await clearClone(installationDeps(), { caller, installation: resource, now }) } }),
    { memberships: storedMemberships, resources: storedResources },
  ),
});
