import { customerAccessGuard } from '../auth/access-facts.js';
import { actorOf, systemActor } from '../auth/principal.js';
import type { Actor } from '../auth/principal.js';
import type { AccountPrincipal } from '../auth/principal.js';
import { ProblemError, problem } from '@license-activation/contract/problem';
import type { Activation, ActivationInput, ActivationMethod, AuditEvent } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import { eventPuts } from '../data/events.js';
import { activationPut, activationReclaim, activationsOfLicense } from '../data/activations.js';
import type { ActivationRecord } from '../data/activations.js';
import { getLicenses, licenseUnchanged, slotKeep, slotTake } from '../data/licenses.js';
import { installationLicenseRemoved, installationPut } from '../data/installations.js';
import { readForActivation } from '../data/activation-reads.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { newId } from '../ids.js';
import { licenseIdOf, normalizeLicenseKey } from '../licenses/license-key.js';
import { activationRefusal, slotRefusal } from './activation-checks.js';
import { fingerprintHash } from './fingerprint.js';
import { activatedLicense, slotView, toActivation, withCurrentLicenses } from './installation-view.js';
import { attemptAdmittedCheck, attemptRefused, confirmAttemptAdmitted, countFailure, failureTimes, keyAttemptAllowed } from './key-failure-limit.js';
import { productOf, signLicenseToken } from './license-token.js';
import { modeChange, modeChangePuts } from './mode-change.js';
import { latestTokenExp, leaseMsOf, longestFreed, seenItems } from './slots.js';
import { proofAlreadySpent, spendProofIn } from '../data/proofs.js';
import type { ProofUse, RecentProofs } from '../data/proofs.js';
import { refreshInstallation } from './refresh-installation.js';
import { firstHead, newChain } from './clone-detection.js';
import type { InstallationDeps } from './refresh-installation.js';

export interface ActivationRequest {
  readonly proof: ProofUse;
  /**
   * The account acting on the customer's behalf, for activation by `licenseId`; its route's access
   * decided that it may see that license (lib/auth/access.ts, `activateLicense`).
   */
  readonly account?: AccountPrincipal;
  /** The machine facts, and what to activate: a key, or a license an account names. */
  readonly input: ActivationInput;
  /** Online, or offline (the license file then ends no later than the license). */
  readonly lifetime: { readonly kind: 'online' | 'offline' };
  readonly now: Date;
  /** Who acted, when not the account or else the installation (named by the hostname it reports): a person. */
  readonly actor?: Actor;
  /** Events the caller's reason to activate adds (a sign-in approval), written in the activation's transaction. */
  readonly alsoRecord?: readonly AuditEvent[];
}

export interface ActivationOutcome {
  /** False when the installation already held this license: nothing more was consumed. */
  readonly created: boolean;
  readonly token: string;
  readonly installation: InstallationRecord;
  readonly activation: Activation;
}

/**
 * How the new activation gets its slot: a free one; its own released activation's, which still holds
 * it; or the slot of the activation of the license that has been free the longest (a lapsed lease, or
 * a release whose tokens all expired), reclaimed in the same transaction.
 */
type SlotSource = { readonly kind: 'free' } | { readonly kind: 'own-release'; readonly released: ActivationRecord } | { readonly kind: 'reclaim'; readonly reclaimed: ActivationRecord };

/**
 * Where the slot comes from, or `TOO_MANY_ACTIVATIONS`. Only a full license costs more: one Query of
 * its activations, to find the one to reclaim.
 */
async function slotSource(deps: InstallationDeps, license: LicenseRecord, own: ActivationRecord | undefined, now: Date): Promise<SlotSource> {
  if (own?.releasedAt !== undefined) return { kind: 'own-release', released: own };
  if (license.activations < license.maxActivations) return { kind: 'free' };
  const reclaimed = longestFreed(await activationsOfLicense(deps.table, license.id), leaseMsOf(productOf(deps.catalog, license.productId)), now);
  if (reclaimed) return { kind: 'reclaim', reclaimed };
  const full = slotRefusal(license);
  throw problem(full.code, full.detail);
}

/** The transaction items that take the slot from `source`, with the reclaim's own event. */
function slotItems(deps: InstallationDeps, license: LicenseRecord, source: SlotSource, now: Date): LabelledItem<'slot' | 'reclaimed' | 'event'>[] {
  const { table } = deps;
  if (source.kind === 'free') return [['slot', slotTake(table, license.id)]];
  if (source.kind === 'own-release') return [['slot', slotKeep(table, license.id)]];
  const { reclaimed } = source;
  return [
    ['slot', slotKeep(table, license.id)],
    ['reclaimed', activationReclaim(table, reclaimed)],
    // A lapsed installation loses the license (its next token is NOT_ACTIVATED); a released one already has.
    ...(reclaimed.releasedAt === undefined ? [['reclaimed', installationLicenseRemoved(table, reclaimed.installationId, license.id)] as const] : []),
    ...(reclaimed.releasedAt === undefined
      ? eventPuts(table, {
          id: newId('evt', now),
          type: 'activation.expired',
          createdAt: now.toISOString(),
          actor: systemActor,
          customerId: license.customerId,
          licenseId: license.id,
          installationId: reclaimed.installationId,
          data: { activationId: reclaimed.activationId, lastSeenAt: reclaimed.lastSeenAt ?? reclaimed.createdAt },
        }).map((item) => ['event', item] as const)
      : []),
  ];
}

/** How an activation was made, from what proved the request. */
const methodOfProof: Readonly<Record<ProofUse['kind'], ActivationMethod>> = {
  dpop: 'online',
  'offline-request': 'offline',
  'device-authorization': 'sign-in',
};

/** The installation after activating `license` on it: created if new, its trial ended for good. */
function withActivation(existing: InstallationRecord | undefined, request: ActivationRequest, license: LicenseRecord, ledgerProofs: RecentProofs | undefined): InstallationRecord {
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
    // The proofs it spent before it had an item: a replay of one is refused, and they count toward its 20 a window.
    ...(ledgerProofs ? { recentProofs: ledgerProofs } : {}),
    rev: -1,
  };
  const { trial, released, ...withoutTrial } = base;
  const stillReleased = { ...released };
  delete stillReleased[license.id];
  return {
    ...withoutTrial,
    ...(Object.keys(stillReleased).length > 0 ? { released: stillReleased } : {}),
    customerId: license.customerId,
    hostname: input.hostname,
    version: input.version,
    virtual: input.virtual,
    fingerprintHash: fingerprintHash(license.productId, input.fingerprint),
    lastSeenAt: at,
    ...(trial ? { trialEndedAt: at } : {}),
    licenses: { ...base.licenses, [license.id]: activatedLicense(license, { activationId: newId('act', now), activatedAt: at, method: methodOfProof[request.proof.kind] }) },
    rev: base.rev + 1,
  };
}

/**
 * Activates a license on an installation (`POST /v1/activations`, offline request files, and every
 * other way an activation is made: this is the one path). Refusals follow the contract's order; a
 * repeat answers the existing activation and consumes nothing. A new activation is one read of the
 * license, installation and activation, one signature and one transaction that takes the slot only
 * while the license is active and below its limit — never oversold. On a full license the same
 * transaction reclaims the longest-lapsed slot instead (API.md §8), only if it is still unchanged.
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
  let licensesChanged = false;
  const keyFailures = { kind: 'keyFailures', installationId } as const;
  const keyRefusal = 'too many failed key activations from this installation';
  let keyRecognized = false;

  try {
    return await retryOnContention(async (): Promise<ActivationOutcome | typeof retry> => {
      const reads = await readForActivation(table, { installationId, licenseId, withKeyFailures: byKey });
      let license = reads.license;
      if (byKey) {
        const gate = keyAttemptAllowed(failureTimes(reads.keyFailures), now);
        if (!gate.allowed) throw problem('RATE_LIMITED', keyRefusal, { retryAfterSeconds: gate.retryAfterSeconds });
        if (!normalizedKey || !license) {
          // Counted before it is answered: no more than 10 failures a window are ever told apart from a good key.
          await countFailure(table, keyFailures, { slots: reads.keyFailures, now, refusal: keyRefusal });
          if (!normalizedKey) throw problem('KEY_MALFORMED', 'the key is not a license key: check it for typing mistakes');
          throw problem('LICENSE_NOT_FOUND', 'no license has this key');
        }
        keyRecognized = true;
      } else if (byName?.customerId !== undefined && byName.customerId !== license?.customerId) {
        // The account may see the license (its route's access decided so), but not as the customer it named.
        license = undefined;
      }
      if (!license) throw problem('LICENSE_NOT_FOUND', `no license ${byName?.licenseId ?? ''}`.trim());

      const { lifetime } = request;
      const product = productOf(deps.catalog, license.productId);
      const refusal = activationRefusal(license, product, input, now);
      if (refusal) throw problem(refusal.code, refusal.detail);

      let existing = reads.installation;
      if (existing && existing.productId !== license.productId) {
        throw problem('CONFLICT', `this installation runs ${existing.productId}, not ${license.productId}`);
      }
      const held = existing?.licenses[license.id];
      if (existing && held) {
        if (byKey) await confirmAttemptAdmitted(table, keyFailures, { now, refusal: keyRefusal });
        const repeated = await refreshInstallation(deps, {
          installationId,
          known: { installationId: existing.id, installation: existing },
          change: (current) => ({ ...current, hostname: input.hostname, version: input.version, virtual: input.virtual, lastSeenAt: now.toISOString() }),
          proof,
          lifetime,
          now,
        });
        return { created: false, ...repeated, activation: toActivation(repeated.installation, held, slotView(deps.catalog, license.productId, now)) };
      }
      if (existing?.customerId !== undefined && existing.customerId !== license.customerId) {
        throw problem('CONFLICT', 'this installation belongs to another customer: release its licenses first');
      }
      const source = await slotSource(deps, license, reads.activation, now);

      if (existing && licensesChanged) existing = withCurrentLicenses(existing, await getLicenses(table, Object.keys(existing.licenses)));
      // The proof first: a replay is refused before it costs a signature.
      const { installation: proven, items: proofItems } = spendProofIn(table, proof, withActivation(existing, request, license, reads.ledgerProofs), now);
      // An online token carries the installation's head (API.md §10): its first one if it has none yet; a new license changes no head.
      const activating = lifetime.kind === 'online' && proven.chain === undefined ? { ...proven, chain: firstHead(newChain(), now) } : proven;
      const activated = activating.licenses[license.id];
      if (!activated) throw new TypeError('the activated license is missing from the installation');
      const { token, exp, iat, claims } = await signLicenseToken(deps, activating, lifetime, now);
      const mode = modeChange(existing, claims, now);
      const next: InstallationRecord = { ...activating, tokenExp: latestTokenExp(existing, exp), tokenIat: iat, tokenMode: mode.tokenMode };
      const activation: ActivationRecord = {
        licenseId: license.id,
        installationId,
        activationId: activated.activationId,
        createdAt: activated.activatedAt,
        lastSeenAt: next.lastSeenAt,
        tokenExp: latestTokenExp(existing, exp),
      };
      const items: LabelledItem<'attempt' | 'activation' | 'slot' | 'reclaimed' | 'installation' | 'proof' | 'license' | 'access' | 'seen' | 'event'>[] = [
        ...(byKey ? [['attempt', attemptAdmittedCheck(table, keyFailures, now)] as const] : []),
        ...proofItems.map((item) => ['proof', item] as const),
        // A reseller acting for the customer must still manage it when the slot is taken.
        ...(request.account?.kind === 'reseller' ? [['access', customerAccessGuard(table, request.account, license.customerId)] as const] : []),
        ['activation', activationPut(table, activation, source.kind === 'own-release' ? source.released : undefined)],
        ...slotItems(deps, license, source, now),
        ['installation', installationPut(table, next, existing?.rev)],
        // The new token carries the installation's other licenses too: record it on their activations.
        ...seenItems(table, next, Object.keys(existing?.licenses ?? {})).map((item) => ['seen', item] as const),
        ...Object.values(existing?.licenses ?? {}).map((other) => ['license', licenseUnchanged(table, other.licenseId, other.status)] as const),
        ...eventPuts(table, {
          id: newId('evt', now),
          type: 'activation.created',
          createdAt: activated.activatedAt,
          actor: request.actor ?? actorOf({ account: request.account, installation: proof.installation }, input.hostname),
          customerId: license.customerId,
          licenseId: license.id,
          installationId,
          data: { activationId: activated.activationId, hostname: input.hostname, version: input.version, offline: proof.kind === 'offline-request' },
        }).map((item) => ['event', item] as const),
        // A sign-in approval is the customer's business too: its feed shows who approved, beside the activation.
        ...(request.alsoRecord ?? []).flatMap((event) => eventPuts(table, { customerId: license.customerId, ...event })).map((item) => ['event', item] as const),
        ...modeChangePuts(table, next, mode.event).map((item) => ['event', item] as const),
      ];
      const outcome = await labelledTransaction(table, items);
      if (outcome.ok) return { created: true, token, installation: next, activation: toActivation(next, activated, slotView(deps.catalog, license.productId, now)) };
      const attempt = outcome.failed.get('attempt');
      if (attempt) throw attemptRefused(attempt[0], now, keyRefusal);
      if (outcome.failed.has('proof')) throw proofAlreadySpent(proof);
      if (outcome.failed.has('access')) throw problem('LICENSE_NOT_FOUND', `no license ${license.id}`);
      const slot = outcome.failed.get('slot');
      if (slot) {
        const refusalNow = slotRefusal(slot[0]);
        // Full meanwhile: the next attempt looks for a slot to reclaim, and refuses if there is none.
        if (refusalNow.code !== 'TOO_MANY_ACTIVATIONS') throw problem(refusalNow.code, refusalNow.detail);
      }
      if (outcome.failed.has('license')) licensesChanged = true;
      // The installation, the activation or the reclaimed activation changed under us (a concurrent
      // request: another activation took that slot, or its installation was seen), or the items were busy.
      return retry;
    });
  } catch (error) {
    // Any other refusal of a recognised key tells that the key exists: given only while the counter admits an attempt.
    if (keyRecognized && error instanceof ProblemError && error.status < 500 && error.code !== 'RATE_LIMITED') {
      await confirmAttemptAdmitted(table, keyFailures, { now, refusal: keyRefusal });
    }
    throw error;
  }
}
