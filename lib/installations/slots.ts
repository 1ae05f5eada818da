import type { Product } from '@license-activation/contract/catalog-schema';
import { activationSeen } from '../data/activations.js';
import type { ActivationRecord } from '../data/activations.js';
import type { InstallationRecord } from '../data/installations.js';
import type { Table } from '../platform/dynamodb.js';
import type { TransactItem } from '../data/transactions.js';

/**
 * Slot accounting (../shared/API.md §8), as pure rules over what the activation items record. The one
 * invariant: at every instant, the installations holding a valid full-mode token of a license are at
 * most its slots, plus the release allowance. So a slot changes hands only once no token claims it.
 */

const dayMs = 24 * 60 * 60 * 1000;

/** How many released activations of a license may still hold an unexpired token while their slots are free. */
export const releaseAllowance = 3;

/** A token issued before token expiries were recorded lasted at most this long (an offline license file). */
const legacyTokenLifetimeMs = 365 * dayMs;

export const leaseMsOf = (product: Pick<Product, 'leaseDays'>): number | undefined =>
  product.leaseDays === undefined ? undefined : product.leaseDays * dayMs;

/** Until when a token issued to the activation's installation may be valid (epoch ms). */
function tokenEndMs(activation: Pick<ActivationRecord, 'tokenExp' | 'createdAt'>): number {
  return activation.tokenExp === undefined ? Date.parse(activation.createdAt) + legacyTokenLifetimeMs : activation.tokenExp * 1000;
}

/**
 * When an unreleased activation's lease lapses (epoch ms): its installation unseen for longer than the
 * lease, and no token it holds still valid (an offline license file, which cannot be seen, lasts its
 * year). Undefined without a lease: such activations end only when released.
 */
export function lapsesAtMs(activation: Pick<ActivationRecord, 'lastSeenAt' | 'tokenExp' | 'createdAt'>, leaseMs: number | undefined): number | undefined {
  if (leaseMs === undefined) return undefined;
  return Math.max(Date.parse(activation.lastSeenAt ?? activation.createdAt) + leaseMs, tokenEndMs(activation));
}

/** When the activation stopped holding its slot (epoch ms), if it has by `now`; undefined while it holds it. */
export function slotFreedAtMs(activation: ActivationRecord, leaseMs: number | undefined, now: Date): number | undefined {
  if (activation.releasedAt !== undefined && activation.freesAt !== undefined) {
    const freesAt = Date.parse(activation.freesAt);
    return freesAt <= now.getTime() ? freesAt : undefined;
  }
  const lapsesAt = lapsesAtMs(activation, leaseMs);
  // "Not seen for longer than the lease": at the very instant the lease ends it still holds.
  return lapsesAt !== undefined && lapsesAt < now.getTime() ? lapsesAt : undefined;
}

/** The activation whose slot has been free the longest, if any: the one a full license's next activation takes. */
export function longestFreed(activations: readonly ActivationRecord[], leaseMs: number | undefined, now: Date): ActivationRecord | undefined {
  let oldest: { activation: ActivationRecord; at: number } | undefined;
  for (const activation of activations) {
    const at = slotFreedAtMs(activation, leaseMs, now);
    if (at !== undefined && (oldest === undefined || at < oldest.at)) oldest = { activation, at };
  }
  return oldest?.activation;
}

/**
 * What a release does with the license's release allowance: the slot frees at once when at most
 * `releaseAllowance` released activations, this one included, still hold an unexpired token;
 * otherwise when this installation's last token expires. `releases` is what the license keeps: the
 * released activations with an unexpired token, this one included.
 */
export function decideRelease(
  license: { readonly releases?: Readonly<Record<string, number>> },
  release: { readonly installationId: string; readonly tokenExp: number },
  now: Date,
): { freeNow: boolean; freesAt?: number; releases: Record<string, number> } {
  const nowSeconds = now.getTime() / 1000;
  const live = Object.fromEntries(
    Object.entries(license.releases ?? {}).filter(([installationId, exp]) => exp > nowSeconds && installationId !== release.installationId),
  );
  if (release.tokenExp <= nowSeconds) return { freeNow: true, releases: live };
  const releases = { ...live, [release.installationId]: release.tokenExp };
  const freeNow = Object.keys(releases).length <= releaseAllowance;
  return { freeNow, ...(freeNow ? {} : { freesAt: release.tokenExp }), releases };
}

/** The latest `exp` of the installation's tokens; for one issued before expiries were recorded, the longest it could be. */
export function installationTokenExp(installation: Pick<InstallationRecord, 'tokenExp' | 'lastSeenAt'>): number {
  return installation.tokenExp ?? Math.floor((Date.parse(installation.lastSeenAt) + legacyTokenLifetimeMs) / 1000);
}

/** The installation's latest token expiry once a token valid until `exp` is issued: an older, longer one still counts. */
export const latestTokenExp = (installation: Pick<InstallationRecord, 'tokenExp'> | undefined, exp: number): number =>
  Math.max(installation?.tokenExp ?? 0, exp);

/**
 * The transaction items that record, on each activation a token carries, when its installation was
 * last seen and that it holds a token until `tokenExp`: written with the token's issue, never separately.
 */
export function seenItems(table: Table, installation: InstallationRecord, licenseIds: readonly string[] = Object.keys(installation.licenses)): TransactItem[] {
  const tokenExp = installation.tokenExp;
  if (tokenExp === undefined) throw new TypeError('the installation records no token expiry');
  return licenseIds.map((licenseId) => activationSeen(table, { licenseId, installationId: installation.id, lastSeenAt: installation.lastSeenAt, tokenExp }));
}
