import type { HeartbeatInput } from '@license-activation/contract/schemas';
import { canonicalJson } from '../canonical-json.js';
import type { InstallationRecord } from '../data/installations.js';
import type { ProofUse } from '../data/proofs.js';
import { digest } from './clone-detection.js';
import type { ChainPresentation } from './clone-detection.js';
import { refreshInstallation } from './refresh-installation.js';
import type { InstallationDeps } from './refresh-installation.js';

/** What a heartbeat presents (API.md §10): its chain, its `Idempotency-Key` and its body, the last two hashed. */
export function heartbeatPresentation(input: HeartbeatInput, idempotencyKey: string | undefined): ChainPresentation {
  return {
    ...(input.chain === undefined ? {} : { chain: input.chain }),
    ...(idempotencyKey === undefined ? {} : { keyHash: digest(idempotencyKey) }),
    bodyHash: digest(canonicalJson(input)),
  };
}

/**
 * `POST /v1/installations/{id}/heartbeat`: records the version and active users the installation
 * reports and answers its token, whose mode follows any change to its licenses since the last one. The
 * chain it presents is judged (clone-detection.ts): a step or a fork gets a token with a new head, a
 * retry the head's token again, a presentation of the head the head's token where the brake allows
 * (token-reuse.ts).
 */
export async function heartbeat(
  deps: InstallationDeps,
  request: { proof: ProofUse; input: HeartbeatInput; idempotencyKey?: string; now: Date },
): Promise<{ token: string; installation: InstallationRecord }> {
  const { proof, input, now } = request;
  const at = now.toISOString();
  return refreshInstallation(deps, {
    installationId: proof.installation.id,
    change: (record) => ({ ...record, version: input.version, usage: { activeUsers: input.usage.activeUsers, reportedAt: at }, lastSeenAt: at }),
    proof,
    lifetime: { kind: 'online' },
    now,
    chain: { kind: 'present', presentation: heartbeatPresentation(input, request.idempotencyKey), heartbeat: true },
  });
}
