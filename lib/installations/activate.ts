import { randomUUID } from 'node:crypto';
import { customerAccessGuard, mayActForCustomer } from '../accounts/customer-access.js';
import { actorOf } from '../auth/principal.js';
import type { AccountPrincipal } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { Activation, ActivationInput } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { activationPut } from '../data/activations.js';
import { getLicenses, licenseUnchanged, slotTake } from '../data/licenses.js';
import { installationPut } from '../data/installations.js';
import { readForActivation } from '../data/activation-reads.js';
import type { InstallationRecord } from '../data/installations.js';
import { recordKeyFailure as recordFailure } from '../data/key-failures.js';
import type { KeyFailures } from '../data/key-failures.js';
import type { LicenseRecord } from '../data/licenses.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { licenseIdOf, normalizeLicenseKey } from '../licenses/license-key.js';
import { activationRefusal, slotRefusal } from './activation-checks.js';
import { fingerprintHash } from './fingerprint.js';
import { activatedLicense, toActivation, withCurrentLicenses } from './installation-view.js';
import { keyAttemptAllowed, keyFailureWindowMs, recentFailures } from './key-failure-limit.js';
import { productOf, signLicenseToken } from './license-token.js';
import type { TokenLifetime } from './license-token.js';
import { proofAlreadySpent, spendProof } from '../data/proofs.js';
import type { ProofUse } from '../data/proofs.js';
import { refreshInstallation } from './refresh-installation.js';
import type { InstallationDeps } from './refresh-installation.js';

export interface ActivationRequest {
  readonly proof: ProofUse;
  /** The account acting on the customer's behalf, for activation by `licenseId`. */
  readonly account?: AccountPrincipal;
  /** The machine facts, and what to activate: a key, or a license an account names. */
  readonly input: ActivationInput;
  /** Online, or offline (the license file then ends no later than the license). */
  readonly lifetime: { readonly kind: 'online' | 'offline' };
  readonly now: Date;
}

export interface ActivationOutcome {
  /** False when the installation already held this license: nothing more was consumed. */
  readonly created: boolean;
  readonly token: string;
  readonly installation: InstallationRecord;
  readonly activation: Activation;
}

/**
 * Remembers a failed key activation (malformed or unknown key) toward the installation's limit, under
 * an id of its own: concurrent failures all count, and an SDK retry of the write counts once.
 */
async function recordKeyFailure(deps: InstallationDeps, request: ActivationRequest, failures: KeyFailures): Promise<void> {
  const { now } = request;
  const current = new Set(recentFailures(Object.values(failures), now));
  await recordFailure(deps.table, {
    installationId: request.proof.installation.id,
    failureId: randomUUID(),
    at: now.getTime(),
    expired: Object.keys(failures).filter((failureId) => !current.has(failures[failureId] as number)),
    expiresAt: new Date(now.getTime() + keyFailureWindowMs),
  });
}

/** The installation after activating `license` on it: created if new, its trial ended for good. */
function withActivation(existing: InstallationRecord | undefined, request: ActivationRequest, license: LicenseRecord): InstallationRecord {
  const { input, now } = request;
  const at = now.toISOString();
  const base: InstallationRecord = existing ?? {
    id: request.proof.installation.id,
    productId: license.productId,
    hostname: input.hostname,
    version: input.version,
    virtual: input.virtual,
    fingerprintHash: '',
    createdAt: at,
    lastSeenAt: at,
    licenses: {},
    rev: -1,
  };
  const { trial, ...withoutTrial } = base;
  return {
    ...withoutTrial,
    customerId: license.customerId,
    hostname: input.hostname,
    version: input.version,
    virtual: input.virtual,
    fingerprintHash: fingerprintHash(license.productId, input.fingerprint),
    lastSeenAt: at,
    ...(trial ? { trialEndedAt: at } : {}),
    licenses: { ...base.licenses, [license.id]: activatedLicense(license, { activationId: newId('act', now), activatedAt: at }) },
    rev: base.rev + 1,
  };
}

/**
 * Activates a license on an installation (`POST /v1/activations`, and offline request files).
 * Refusals follow the contract's order; a repeat answers the existing activation and consumes nothing.
 * A new activation is one read of the license and installation, one signature and one transaction
 * that takes the slot only while the license is active and below its limit — never oversold.
 */
export async function activate(deps: InstallationDeps, request: ActivationRequest): Promise<ActivationOutcome> {
  const { table } = deps;
  const { input, now, proof } = request;
  const installationId = proof.installation.id;
  // ActivationInput is either shape; `byName` is the license an account names.
  const byName = 'licenseId' in input ? input : undefined;
  const byKey = byName === undefined;
  const normalizedKey = 'key' in input ? normalizeLicenseKey(input.key) : undefined;
  const licenseId = byName ? byName.licenseId : normalizedKey && licenseIdOf(normalizedKey);
  if (!byKey && !request.account) throw problem('UNAUTHENTICATED', "activation by licenseId needs an account's API key too");
  let licensesChanged = false;

  return retryOnContention(async (): Promise<ActivationOutcome | typeof retry> => {
    const reads = await readForActivation(table, { installationId, licenseId, withKeyFailures: byKey });
    let license = reads.license;
    if (byKey) {
      const gate = keyAttemptAllowed(Object.values(reads.keyFailures), now);
      if (!gate.allowed) {
        throw problem('RATE_LIMITED', 'too many failed key activations from this installation', { retryAfterSeconds: gate.retryAfterSeconds });
      }
      if (!normalizedKey || !license) {
        await recordKeyFailure(deps, request, reads.keyFailures);
        if (!normalizedKey) throw problem('KEY_MALFORMED', 'the key is not a license key: check it for typing mistakes');
        throw problem('LICENSE_NOT_FOUND', 'no license has this key');
      }
    } else {
      const named = license;
      const visible =
        named !== undefined &&
        request.account !== undefined &&
        (byName?.customerId === undefined || byName.customerId === named.customerId) &&
        (await mayActForCustomer(table, request.account, named.customerId));
      if (!visible) license = undefined;
    }
    if (!license) throw problem('LICENSE_NOT_FOUND', `no license ${byName?.licenseId ?? ''}`.trim());

    const lifetime: TokenLifetime = request.lifetime.kind === 'offline' ? { kind: 'offline', licenseEnd: license.expiresAt } : request.lifetime;
    const product = productOf(deps.catalog, license.productId);
    const refusal = activationRefusal(license, product, input, now);
    if (refusal) throw problem(refusal.code, refusal.detail);

    let existing = reads.installation;
    if (existing && existing.productId !== license.productId) {
      throw problem('CONFLICT', `this installation runs ${existing.productId}, not ${license.productId}`);
    }
    const held = existing?.licenses[license.id];
    if (existing && held) {
      const repeated = await refreshInstallation(deps, {
        installationId,
        known: { installationId: existing.id, installation: existing },
        change: (current) => ({ ...current, hostname: input.hostname, version: input.version, virtual: input.virtual, lastSeenAt: now.toISOString() }),
        proof,
        lifetime,
        now,
      });
      return { created: false, ...repeated, activation: toActivation(installationId, held) };
    }
    if (existing?.customerId !== undefined && existing.customerId !== license.customerId) {
      throw problem('CONFLICT', 'this installation belongs to another customer: release its licenses first');
    }
    if (license.activations >= license.maxActivations) {
      const full = slotRefusal(license);
      throw problem(full.code, full.detail);
    }

    if (existing && licensesChanged) existing = withCurrentLicenses(existing, await getLicenses(table, Object.keys(existing.licenses)));
    const next = withActivation(existing, request, license);
    const activated = next.licenses[license.id];
    if (!activated) throw new TypeError('the activated license is missing from the installation');
    const token = await signLicenseToken(deps, next, lifetime, now);
    const items: LabelledItem<'activation' | 'slot' | 'installation' | 'proof' | 'license' | 'access' | 'event'>[] = [
      ['proof', spendProof(table, proof, now)],
      // A reseller acting for the customer must still manage it when the slot is taken.
      ...(request.account?.kind === 'reseller' ? [['access', customerAccessGuard(table, request.account, license.customerId)] as const] : []),
      ['activation', activationPut(table, { licenseId: license.id, installationId, activationId: activated.activationId, createdAt: activated.activatedAt })],
      ['slot', slotTake(table, license.id)],
      ['installation', installationPut(table, next, existing?.rev)],
      ...Object.values(existing?.licenses ?? {}).map((other) => ['license', licenseUnchanged(table, other.licenseId, other.status)] as const),
      ...eventPuts(table, {
        id: newId('evt', now),
        type: 'activation.created',
        createdAt: activated.activatedAt,
        actor: actorOf({ account: request.account, installation: proof.installation }),
        customerId: license.customerId,
        licenseId: license.id,
        installationId,
        data: { activationId: activated.activationId, hostname: input.hostname, version: input.version, offline: proof.kind === 'offline-request' },
      }).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return { created: true, token, installation: next, activation: toActivation(installationId, activated) };
    if (outcome.failed.has('proof')) throw proofAlreadySpent(proof);
    if (outcome.failed.has('access')) throw problem('LICENSE_NOT_FOUND', `no license ${license.id}`);
    const slot = outcome.failed.get('slot');
    if (slot) {
      const refusalNow = slotRefusal(slot[0]);
      throw problem(refusalNow.code, refusalNow.detail);
    }
    if (outcome.failed.has('license')) licensesChanged = true;
    // The installation or the activation changed under us (a concurrent request), or the items were busy.
    return retry;
  });
}
