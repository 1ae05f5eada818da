import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationOf } from '#lib/auth/principal.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { heartbeat } from '#lib/installations/heartbeat.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'heartbeat'),
  async ({ body, headers, caller, now }) => {
    const proof = { kind: 'dpop', installation: installationOf(caller) } as const;
    const { token } = await heartbeat(installationDeps(), { proof, input: body, idempotencyKey: headers['Idempotency-Key'], now });
    return { status: 200, body: { token } };
  },
  { installations: dpopProofs },
);
