import { productById } from '@license-activation/contract/product-queries';
import { problem } from '@license-activation/contract/problem';
import type { TrialInput } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { installationPut } from '../data/installations.js';
import { trialFingerprintPut } from '../data/trial-claims.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { fingerprintHash } from './fingerprint.js';
import { signLicenseToken } from './license-token.js';
import { tokenModeOf } from './mode-change.js';
import { proofAlreadySpent, readProofPlace, spendProofIn } from '../data/proofs.js';
import type { ProofUse } from '../data/proofs.js';
import { refreshInstallation } from './refresh-installation.js';
import { sourceBrakeItems, sourceBrakeRefusal, trialBrake } from '../net/source-brakes.js';
import type { SourceBrakeLabel } from '../net/source-brakes.js';
import type { InstallationDeps } from './refresh-installation.js';
import { firstHead, newChain } from './clone-detection.js';

const dayMs = 24 * 60 * 60 * 1000;

type TrialItem = 'installation' | 'fingerprint' | 'proof' | 'event' | SourceBrakeLabel;

/**
 * `POST /v1/trials`: starts the product's trial on a new installation. An installation that exists
 * already gets its current state back (its trial, running or expired, or its licenses), never a fresh
 * trial; a machine fingerprint gets one trial per product, whichever installation asks.
 */
export async function startTrial(
  deps: InstallationDeps,
  request: { proof: ProofUse; input: TrialInput; now: Date; sourceIp?: string },
): Promise<{ created: boolean; token: string; installation: InstallationRecord }> {
  const { table } = deps;
  const { proof, input, now } = request;
  const installationId = proof.installation.id;
  const product = productById(deps.catalog, input.productId);
  if (!product) {
    throw problem('VALIDATION_FAILED', 'the body is not valid', {
      errors: [{ path: 'productId', message: `unknown product; one of ${Object.keys(deps.catalog).join(', ')}` }],
    });
  }
  return retryOnContention(async () => {
    const { installation: existing, ledger } = await readProofPlace(table, installationId);
    if (existing) {
      if (existing.productId !== input.productId) throw problem('CONFLICT', `this installation runs ${existing.productId}, not ${input.productId}`);
      const current = await refreshInstallation(deps, {
        installationId,
        known: { installationId: existing.id, installation: existing },
        change: (record) => ({ ...record, lastSeenAt: now.toISOString() }),
        proof,
        lifetime: { kind: 'online' },
        now,
      });
      return { created: false, ...current };
    }
    if (!product.trial) throw problem('FORBIDDEN', `${product.name} has no trial: activate a license instead`);
    const startedAt = now.toISOString();
    const hash = fingerprintHash(product.id, input.fingerprint);
    const { installation: proven, items: proofItems } = spendProofIn(table, proof, {
      id: installationId,
      productId: product.id,
      hostname: input.hostname,
      version: input.version,
      virtual: input.virtual,
      fingerprintHash: hash,
      createdAt: startedAt,
      lastSeenAt: startedAt,
      trial: { startedAt, endsAt: new Date(now.getTime() + product.trial.days * dayMs).toISOString() },
      licenses: {},
      // Its token carries the first head of its chain (API.md §10).
      chain: firstHead(newChain(), now),
      // The proofs it spent before it had an item: a replay of one is refused, and they count toward its 20 a window.
      ...(ledger ? { recentProofs: ledger.recentProofs } : {}),
      rev: 0,
    }, now);
    // A trial token carries no license, so slot accounting need not record its exp. Its mode is the first: no change.
    const { token, iat, claims } = await signLicenseToken(deps, proven, { kind: 'online' }, now);
    const installation: InstallationRecord = { ...proven, tokenIat: iat, tokenMode: tokenModeOf(claims) };
    const items: LabelledItem<TrialItem>[] = [
      ...sourceBrakeItems(table, trialBrake, request.sourceIp, now),
      ...proofItems.map((item) => ['proof', item] as const),
      ['installation', installationPut(table, installation, undefined)],
      ['fingerprint', trialFingerprintPut(table, { productId: product.id, fingerprintHash: hash, installationId, startedAt })],
      ...eventPuts(table, {
        id: newId('evt', now),
        type: 'trial.started',
        createdAt: startedAt,
        actor: { kind: 'installation', id: installationId, name: input.hostname },
        installationId,
        data: { productId: product.id, endsAt: installation.trial?.endsAt, hostname: input.hostname },
      }).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return { created: true, token, installation };
    if (outcome.failed.has('proof')) throw proofAlreadySpent(proof);
    const braked = sourceBrakeRefusal(trialBrake, outcome.failed, now);
    if (braked) throw braked;
    if (outcome.failed.has('fingerprint')) {
      throw problem('TRIAL_ALREADY_USED', `a trial of ${product.name} already ran on this machine`);
    }
    // Created by a concurrent request of the same installation: answer its state on the next attempt.
    return retry;
  });
}
