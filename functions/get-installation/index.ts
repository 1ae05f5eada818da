import { storedMemberships } from '#lib/auth/person-memberships.js';
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
    async ({ params, query, caller, now }) => ({
      status: 200,
      body: await getInstallationState(installationDeps(), { caller, installationId: params.installationId, ...(query.chain === undefined ? {} : { chain: query.chain }), now }),
    }),
    { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships },
  ),
  restoreInstallation: httpHandler(
    requestsOf(installationRequests, 'restoreInstallation'),
    async ({ params, caller, now }) => ({ status: 200, body: await restoreForOwner(installationDeps(), { caller, installationId: params.installationId, now }) }),
    { memberships: storedMemberships },
  ),
  clearClone: httpHandler(
    requestsOf(installationRequests, 'clearClone'),
    async ({ params, caller, now }) => ({ status: 200, body: { installation: await clearClone(installationDeps(), { caller, installationId: params.installationId, now }) } }),
    { memberships: storedMemberships },
  ),
});
