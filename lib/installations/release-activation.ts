import { customerAccessGuard } from '../accounts/customer-access.js';
import type { Caller } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { activationDelete } from '../data/activations.js';
import { installationPut } from '../data/installations.js';
import { slotFree } from '../data/licenses.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { visibleInstallation } from './installation-access.js';
import { proofAlreadySpent, spendProof } from '../data/proofs.js';
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
    // Own keys only: a licenseId such as `constructor` names no activation, not Object.prototype's.
    const activated = Object.hasOwn(installation.licenses, licenseId) ? installation.licenses[licenseId] : undefined;
    if (!activated) throw problem('NOT_FOUND', `license ${licenseId} is not activated on installation ${installationId}`);
    const remaining = { ...installation.licenses };
    delete remaining[licenseId];
    const next: InstallationRecord = { ...installation, licenses: remaining, rev: installation.rev + 1 };
    const items: LabelledItem<'proof' | 'access' | 'activation' | 'slot' | 'installation' | 'event'>[] = [
      ...(proof ? [['proof', spendProof(table, proof, now)] as const] : []),
      // A reseller releasing for the customer must still manage it when the slot is freed.
      ...(caller.account?.kind === 'reseller' && installation.customerId !== undefined
        ? [['access', customerAccessGuard(table, caller.account, installation.customerId)] as const]
        : []),
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
    if (outcome.failed.has('access')) throw problem('NOT_FOUND', `no installation ${installationId}`);
    // Released or changed by a concurrent request (its slot then may be gone too): look again, the
    // next attempt may answer 404.
    if (outcome.failed.has('activation') || outcome.failed.has('installation') || outcome.contention) return retry;
    if (outcome.failed.has('slot')) throw new Error(`license ${licenseId} counts no activation to release`);
    return retry;
  });
}
