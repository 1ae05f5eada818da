import type { Caller } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { problem } from '../contract/problem.js';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { activationDelete, installationPut, slotFree } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { visibleInstallation } from './installation-access.js';
import { proofAlreadySpent, spendProof } from './proof-records.js';
import type { InstallationDeps } from './refresh-installation.js';

/**
 * `DELETE /v1/installations/{id}/activations/{licenseId}`: the installation itself or the owning
 * account releases an activation. The activation item, the license's slot count and the installation
 * change in one transaction, so the slot is free the moment the answer arrives.
 */
export async function releaseActivation(
  deps: Pick<InstallationDeps, 'table'>,
  request: { caller: Caller; installationId: string; licenseId: string; now: Date },
): Promise<void> {
  const { table } = deps;
  const { caller, installationId, licenseId, now } = request;
  const proof = caller.installation ? ({ kind: 'dpop', installation: caller.installation } as const) : undefined;
  await retryOnContention(async () => {
    const installation = await visibleInstallation(table, caller, installationId);
    const activated = installation.licenses[licenseId];
    if (!activated) throw problem('NOT_FOUND', `license ${licenseId} is not activated on installation ${installationId}`);
    const remaining = { ...installation.licenses };
    delete remaining[licenseId];
    const next: InstallationRecord = { ...installation, licenses: remaining, rev: installation.rev + 1 };
    const items: LabelledItem<'proof' | 'activation' | 'slot' | 'installation' | 'event'>[] = [
      ...(proof ? [['proof', spendProof(table, proof, now)] as const] : []),
      ['activation', activationDelete(table, licenseId, installationId)],
      ['slot', slotFree(table, licenseId)],
      ['installation', installationPut(table, next, installation.rev)],
      ...eventPuts(table, {
        id: newId('evt', now),
        type: 'activation.released',
        createdAt: now.toISOString(),
        actor: actorOf(caller),
        customerId: installation.customerId,
        licenseId,
        installationId,
        data: { activationId: activated.activationId },
      }).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return undefined;
    if (proof && outcome.failed.has('proof')) throw proofAlreadySpent(proof);
    if (outcome.failed.has('slot')) throw new Error(`license ${licenseId} counts no activation to release`);
    // Released or changed by a concurrent request: look again (the next attempt may answer 404).
    return retry;
  });
}
