import type { Caller } from '../auth/principal.js';
import type { Installation } from '@license-activation/contract/schemas';
import { getLicenses } from '../data/licenses.js';
import { toLicense } from '../licenses/license-view.js';
import { visibleInstallation } from './installation-access.js';
import { toInstallationView, withCurrentLicenses } from './installation-view.js';
import { signLicenseToken } from './license-token.js';
import { spendProofAlone } from '../data/proofs.js';
import type { InstallationDeps } from './refresh-installation.js';

/**
 * `GET /v1/installations/{id}`: everything an on-prem server needs to rebuild its license tables
 * (the installation, its activations and their licenses as they are now) and a fresh token.
 * Nothing changes but the spent proof, which is recorded only after the token is signed.
 */
export async function restoreInstallation(
  deps: InstallationDeps,
  request: { caller: Caller; installationId: string; now: Date },
): Promise<{ installation: Installation; token: string }> {
  const { table } = deps;
  const { caller, now } = request;
  const stored = await visibleInstallation(table, caller, request.installationId);
  const licenses = await getLicenses(table, Object.keys(stored.licenses));
  const installation = withCurrentLicenses(stored, licenses);
  const token = await signLicenseToken(deps, installation, { kind: 'online' }, now);
  if (caller.installation) await spendProofAlone(table, { kind: 'dpop', installation: caller.installation }, now);
  return {
    installation: { ...toInstallationView(installation), licenses: licenses.map((license) => toLicense(license, now)), token },
    token,
  };
}
