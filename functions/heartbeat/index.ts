import { installationDeps } from '../../lib/adapters/installation-deps.js';
import { installationOf } from '../../lib/auth/principal.js';
import { HeartbeatInput, InstallationPath } from '../../lib/contract/installation-requests.js';
import { dpopProofs } from '../../lib/http/dpop-proofs.js';
import { httpHandler } from '../../lib/http/http-handler.js';
import { heartbeat } from '../../lib/installations/heartbeat.js';

export const handler = httpHandler(
  { params: InstallationPath, body: HeartbeatInput },
  async ({ body, caller, now }) => {
    const { token } = await heartbeat(installationDeps(), { proof: { kind: 'dpop', installation: installationOf(caller) }, input: body, now });
    return { status: 200, body: { token } };
  },
  { installations: dpopProofs },
);
