import type { HeartbeatInput } from '@license-activation/contract/schemas';
import type { InstallationRecord } from '../data/installations.js';
import type { ProofUse } from '../data/proofs.js';
import { refreshInstallation } from './refresh-installation.js';
import type { InstallationDeps } from './refresh-installation.js';

/**
 * `POST /v1/installations/{id}/heartbeat`: records the version and active users the installation
 * reports and answers its token, whose mode follows any change to its licenses since the last one: a
 * new one, or the recent one again where token-reuse.ts allows (within the brake, or nothing changed).
 */
export async function heartbeat(
  deps: InstallationDeps,
  request: { proof: ProofUse; input: HeartbeatInput; now: Date },
): Promise<{ token: string; installation: InstallationRecord }> {
  const { proof, input, now } = request;
  const at = now.toISOString();
  return refreshInstallation(deps, {
    installationId: proof.installation.id,
    change: (record) => ({ ...record, version: input.version, usage: { activeUsers: input.usage.activeUsers, reportedAt: at }, lastSeenAt: at }),
    proof,
    lifetime: { kind: 'online' },
    now,
    reuse: true,
  });
}
