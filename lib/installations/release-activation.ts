import { customerAccessGuard } from '../auth/access-facts.js';
import type { Caller } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { activationDelete, activationRelease } from '../data/activations.js';
import { getInstallation, installationPut } from '../data/installations.js';
import type { InstallationRecord } from '../data/installations.js';
import { getLicense, slotRelease } from '../data/licenses.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { proofAlreadySpent, spendProofIn } from '../data/proofs.js';
import type { InstallationDeps } from './refresh-installation.js';
import { decideRelease, installationTokenExp } from './slots.js';

/**
 * `DELETE /v1/installations/{id}/activations/{licenseId}`: the installation itself or the owning
 * account releases an activation. The activation item, the license's slot count and the installation
 * change in one transaction. The slot is free the moment the answer arrives within the license's
 * release allowance (API.md §8); past it, the activation keeps the slot until the installation's
 * last token expires, so no number of releases yields more valid tokens than slots plus the allowance.
 * `installation` is the installation as its route's access decision read it; a retry reads it again,
 * and finds nothing if it has meanwhile changed customers (access was decided for the one read).
 */
export async function releaseActivation(
  deps: Pick<InstallationDeps, 'table'>,
  request: { caller: Caller; installation: InstallationRecord; licenseId: string; now: Date },
): Promise<void> {
  const { table } = deps;
  const { caller, licenseId, now } = request;
  const { id: installationId, customerId } = request.installation;
  const proof = caller.installation ? ({ kind: 'dpop', installation: caller.installation } as const) : undefined;
  let read: InstallationRecord | undefined = request.installation;
  await retryOnContention(async () => {
    const installation = read ?? (await getInstallation(table, installationId));
    read = undefined;
    if (!installation || installation.customerId !== customerId) throw problem('NOT_FOUND', `no installation ${installationId}`);
    // Own keys only: a licenseId such as `constructor` names no activation, not Object.prototype's.
    const activated = Object.hasOwn(installation.licenses, licenseId) ? installation.licenses[licenseId] : undefined;
    if (!activated) throw problem('NOT_FOUND', `license ${licenseId} is not activated on installation ${installationId}`);
    const license = await getLicense(table, licenseId);
    if (!license) throw new Error(`license ${licenseId} is activated but missing`);
    const decision = decideRelease(license, { installationId, tokenExp: installationTokenExp(installation) }, now);
    const remaining = { ...installation.licenses };
    delete remaining[licenseId];
    const releasedAt = now.toISOString();
    const freesAt = decision.freesAt === undefined ? undefined : new Date(decision.freesAt * 1000).toISOString();
    const { installation: next, items: proofItems } = spendProofIn(table, proof, {
      ...installation,
      licenses: remaining,
      ...(freesAt === undefined
        ? {}
        : { released: { ...installation.released, [licenseId]: { licenseId, activationId: activated.activationId, activatedAt: activated.activatedAt, ...(activated.method ? { method: activated.method } : {}), releasedAt, freesAt } } }),
      rev: installation.rev + 1,
    }, now);
    const items: LabelledItem<'proof' | 'access' | 'activation' | 'slot' | 'installation' | 'event'>[] = [
      ...proofItems.map((item) => ['proof', item] as const),
      // A reseller releasing for the customer must still manage it when the slot is freed.
      ...(caller.account?.kind === 'reseller' && installation.customerId !== undefined
        ? [['access', customerAccessGuard(table, caller.account, installation.customerId)] as const]
        : []),
      ['activation', freesAt === undefined ? activationDelete(table, licenseId, installationId) : activationRelease(table, { licenseId, installationId, releasedAt, freesAt })],
      ['slot', slotRelease(table, { licenseId, readRev: license.releaseRev, releases: decision.releases, freeNow: decision.freeNow })],
      ['installation', installationPut(table, next, installation.rev)],
      ...eventPuts(table, {
        id: newId('evt', now),
        type: 'activation.released',
        createdAt: now.toISOString(),
        actor: actorOf(caller, installation.hostname),
        customerId: installation.customerId,
        licenseId,
        installationId,
        data: { activationId: activated.activationId, ...(freesAt === undefined ? {} : { freesAt }) },
      }).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return undefined;
    if (proof && outcome.failed.has('proof')) throw proofAlreadySpent(proof);
    if (outcome.failed.has('access')) throw problem('NOT_FOUND', `no installation ${installationId}`);
    // Released or changed by a concurrent request (its slot then may be gone too): look again, the
    // next attempt may answer 404.
    // A failed `slot` is a concurrent release of the same license: decide again against its allowance.
    return retry;
  });
}
