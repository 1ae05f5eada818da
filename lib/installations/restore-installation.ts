import type { Caller } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import type { Installation } from '@license-activation/contract/schemas';
import { getLicenses } from '../data/licenses.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { toLicense } from '../licenses/license-view.js';
import { restorePresentation } from './clone-detection.js';
import { slotView, toInstallationView, withCurrentLicenses } from './installation-view.js';
import { refreshInstallation } from './refresh-installation.js';
import type { ChainAction, InstallationDeps } from './refresh-installation.js';

/** The installation as the contract shows it on a restore: with its activated licenses as they are now. */
function restoredView(deps: InstallationDeps, installation: InstallationRecord, licenses: readonly LicenseRecord[], now: Date): Installation {
  return { ...toInstallationView(installation, slotView(deps.catalog, installation.productId, now)), licenses: licenses.map((license) => toLicense(license, now)) };
}

/**
 * `GET /v1/installations/{id}`: everything an on-prem server needs to rebuild its license tables (the
 * installation, its activations and their licenses as they are now). To the installation itself also a
 * fresh token, recorded like a heartbeat's (slot accounting must know every token's `exp`) with the
 * proof spent in the same transaction, and judged like a heartbeat on the `chain` it presents (API.md
 * §10: without an `Idempotency-Key`, only the 30 s rule makes a repeat of it a retry). Its owners and
 * ops read it without a token: nothing written, nothing counted, no lease renewed. `installation` is
 * the installation as its route's access decision read it.
 */
export async function getInstallationState(
  deps: InstallationDeps,
  request: { caller: Caller; installation: InstallationRecord; chain?: string; now: Date },
): Promise<{ installation: Installation; token?: string }> {
  const { table } = deps;
  const { caller, now } = request;
  const stored = request.installation;
  const licenses = await getLicenses(table, Object.keys(stored.licenses));
  const current = withCurrentLicenses(stored, licenses);
  if (!caller.installation) return { installation: restoredView(deps, current, licenses, now) };
  return restore(deps, { current, licenses, now, chain: { kind: 'present', presentation: restorePresentation(request.chain), heartbeat: false }, proof: caller.installation });
}

/**
 * `POST /v1/installations/{id}/restore`: a token for a server rebuilt from nothing, which takes the
 * installation's key from its owner's backup. A fork (API.md §10): the token carries a new head, so
 * that a server still running with the old state is a clone at its next heartbeat. The owner's request
 * renews no lease, so the token ends when the lease would lapse. `installation` is the installation as
 * its route's access decision read it (its owners and ops).
 */
export async function restoreForOwner(
  deps: InstallationDeps,
  request: { caller: Caller; installation: InstallationRecord; now: Date },
): Promise<{ installation: Installation; token: string }> {
  const { table } = deps;
  const { caller, now } = request;
  const stored = request.installation;
  const licenses = await getLicenses(table, Object.keys(stored.licenses));
  return restore(deps, { current: withCurrentLicenses(stored, licenses), licenses, now, chain: { kind: 'owner-restore' }, actor: actorOf(caller) });
}

async function restore(
  deps: InstallationDeps,
  args: { current: InstallationRecord; licenses: readonly LicenseRecord[]; now: Date; chain: ChainAction; proof?: NonNullable<Caller['installation']>; actor?: ReturnType<typeof actorOf> },
): Promise<{ installation: Installation; token: string }> {
  const { current, now, proof } = args;
  const { installation, token } = await refreshInstallation(deps, {
    installationId: current.id,
    known: { installationId: current.id, installation: current },
    change: (record) => (proof ? { ...record, lastSeenAt: now.toISOString() } : record),
    ...(proof ? { proof: { kind: 'dpop', installation: proof } as const } : {}),
    lifetime: { kind: 'online' },
    now,
    chain: args.chain,
    ...(args.actor ? { actor: args.actor } : {}),
  });
  return { installation: { ...restoredView(deps, installation, args.licenses, now), token }, token };
}
