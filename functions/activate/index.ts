import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedResources } from '#lib/auth/access-facts.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { actorOf, installationOf } from '#lib/auth/principal.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { activate } from '#lib/installations/activate.js';
import { slotView, toInstallationView } from '#lib/installations/installation-view.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'activate'),
  async ({ body, caller, now }) => {
    const { created, token, installation, activation } = await activate(installationDeps(), {
      proof: { kind: 'dpop', installation: installationOf(caller) },
      account: caller.account,
      actor: actorOf(caller, body.hostname),
      input: body,
      lifetime: { kind: 'online' },
      now,
    });
    return { status: created ? 201 : 200, body: { token, installation: toInstallationView(installation, slotView(installationDeps().catalog, installation.productId, now)), activation } };
  },
  { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships, resources: storedResources },
);
