import type { Caller } from '../auth/principal.js';
import type { Installation } from '@license-activation/contract/schemas';
import type { InstallationRecord } from '../data/installations.js';
import { getLicenses } from '../data/licenses.js';
import { toLicense } from '../licenses/license-view.js';
import { slotView, toInstallationView, withCurrentLicenses } from './installation-view.js';
import { refreshInstallation } from './refresh-installation.js';
import type { InstallationDeps } from './refresh-installation.js';

/**
 * `GET /v1/installations/{id}`: everything an on-prem server needs to rebuild its license tables
 * (the installation, its activations and their licenses as they are now) and a fresh token, recorded
 * like a heartbeat's (slot accounting must know every token's `exp`), with the proof spent in the same
 * transaction. Only the installation's own request sees it; its owner looking does not renew a lease,
 * so the owner's token ends when the lease would lapse (already, for a lapsed one). `installation` is
 * the installation as its route's access decision read it.
 */
export async function restoreInstallation(
  deps: InstallationDeps,
  request: { caller: Caller; installation: InstallationRecord; now: Date },
): Promise<{ installation: Installation; token: string }> {
  const { table } = deps;
  const { caller, now } = request;
  const stored = request.installation;
  const licenses = await getLicenses(table, Object.keys(stored.licenses));
  const { installation, token } = await refreshInstallation(deps, {
    installationId: stored.id,
    known: { installationId: stored.id, installation: withCurrentLicenses(stored, licenses) },
    change: (current) => (caller.installation ? { ...current, lastSeenAt: now.toISOString() } : current),
    ...(caller.installation ? { proof: { kind: 'dpop', installation: caller.installation } as const } : {}),
    lifetime: { kind: 'online' },
    now,
  });
  return {
    installation: { ...toInstallationView(installation, slotView(deps.catalog, installation.productId, now)), licenses: licenses.map((license) => toLicense(license, now)), token },
    token,
  };
}
