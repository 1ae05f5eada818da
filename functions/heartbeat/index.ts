import { table } from '#lib/platform/dynamodb.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationOf } from '#lib/auth/principal.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import type { HttpEvent } from '#lib/http/http-event.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { heartbeat } from '#lib/installations/heartbeat.js';
import { readInstallation } from '#lib/installations/refresh-installation.js';

export const handler = httpHandler(
  requestsOf(installationRequests, 'heartbeat'),
  async ({ body, headers, caller, now, prefetched }) => {
    const proof = { kind: 'dpop', installation: installationOf(caller) } as const;
    const { token } = await heartbeat(installationDeps(), { proof, input: body, idempotencyKey: headers['Idempotency-Key'], now, known: prefetched });
    return { status: 200, body: { token } };
  },
  { installations: dpopProofs },
  // The installation the path names is read while its proof is verified: the heartbeat's one read.
  (event: HttpEvent) => readInstallation(table(), event.pathParameters?.installationId ?? ''),
);
