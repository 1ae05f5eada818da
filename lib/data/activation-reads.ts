import type { Table } from '../platform/dynamodb.js';
import { batchGet, mapKey } from './batch-get.js';
import { toInstallationRecord } from './installations.js';
import { toFailureSlots } from './key-failures.js';
import type { FailureSlots } from './key-failures.js';
import type { InstallationRecord } from './installations.js';
import { isStorableId, keys } from './keys.js';
import { toLicenseRecord } from './licenses.js';
import { toActivationRecord } from './activations.js';
import type { ActivationRecord } from './activations.js';
import type { LicenseRecord } from './licenses.js';
import type { RecentProofs } from './proofs.js';

export interface ActivationReads {
  readonly installation?: InstallationRecord;
  readonly license?: LicenseRecord;
  /** This installation's activation item of the license, if any (a released one may still hold its slot). */
  readonly activation?: ActivationRecord;
  /** The installation's failed key activations, by slot, when asked for. */
  readonly keyFailures: FailureSlots;
  /** The DPoP proofs it spent before it had an item (proofs.ts `ProofPlace`): a new installation's item starts with them. */
  readonly ledgerProofs?: RecentProofs;
}

/** What an activation needs, in one round trip: the license, the installation (or its proof ledger), its activation of it, and (for keys) its recent failures. */
export async function readForActivation(
  table: Table,
  args: { installationId: string; licenseId?: string; withKeyFailures: boolean },
): Promise<ActivationReads> {
  const installationKey = keys.installation(args.installationId);
  const licenseKey = args.licenseId !== undefined && isStorableId(args.licenseId) ? keys.license(args.licenseId) : undefined;
  const activationKey = licenseKey && keys.activation(args.licenseId as string, args.installationId);
  const failuresKey = args.withKeyFailures ? keys.keyFailures(args.installationId) : undefined;
  const ledgerKey = keys.proofLedger(args.installationId);
  const wanted = [installationKey, ledgerKey, licenseKey, activationKey, failuresKey].filter((key) => key !== undefined);
  const found = await batchGet(table, wanted);
  const installation = found.get(mapKey(installationKey));
  const license = licenseKey && found.get(mapKey(licenseKey));
  const activation = activationKey && found.get(mapKey(activationKey));
  const failures = failuresKey && found.get(mapKey(failuresKey));
  return {
    installation: installation && toInstallationRecord(installation),
    license: license ? toLicenseRecord(license) : undefined,
    activation: activation ? toActivationRecord(activation) : undefined,
    keyFailures: toFailureSlots(failures),
    ledgerProofs: found.get(mapKey(ledgerKey))?.recentProofs as RecentProofs | undefined,
  };
}
