import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationOf } from '#lib/auth/principal.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { slotView, toInstallationView } from '#lib/installations/installation-view.js';
import { startTrial } from '#lib/installations/start-trial.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'startTrial'),
  async ({ body, caller, now, sourceIp }) => {
    const proof = { kind: 'dpop', installation: installationOf(caller) } as const;
    const { created, token, installation } = await startTrial(installationDeps(), { proof, input: body, now, sourceIp });
    return { status: created ? 201 : 200, body: { token, installation: toInstallationView(installation, slotView(installationDeps().catalog, installation.productId, now)) } };
  },
  { installations: dpopProofs },
);
