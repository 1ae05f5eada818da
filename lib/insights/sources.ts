import type { Catalog } from '@license-activation/contract/catalog-schema';
import { decideLicenseMode } from '@license-activation/contract/license-mode';
import { productById } from '@license-activation/contract/product-queries';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { datedCounter } from '../data/insights.js';
import type { Contribution, OverSeat } from '../data/insights.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { toSnapshot } from '../installations/installation-view.js';
import { claimsOfToken } from '../installations/token-reuse.js';
import { dayOf } from './calendar.js';

/**
 * What each source adds to the figures of the scopes it belongs to, decided from the source alone
 * (pure): an installation, a license, or an activation's event. The stream consumer applies the
 * difference from what the source added before; the rebuild adds them all up from the table.
 */

/** The counters, by name. Dated ones (`datedCounter`) are summed over windows of days when read. */
export const counters = {
  installations: (productId: string) => `installations:${productId}`,
  licenses: (status: string, productId: string) => `licenses:${status}:${productId}`,
  seats: (productId: string) => `seats:${productId}`,
  limited: (reason: string) => `limited:${reason}`,
  clones: 'clones',
  trialsRunning: 'trialsRunning',
} as const;

/** Families of dated counters and their fields. */
export const dated = {
  /** Installations by the day they were last seen (`n`), and their latest reports (`users`). */
  seen: 'seen',
  /** Installations holding a leased activation, by the day the lease lapses unless they are seen. */
  lapse: 'lapse',
  /** Active licenses by their expiry day: `licenses:<product>`, and `seats:<product>` for user and server licenses. */
  expiry: 'expiry',
  trialStart: 'trialStart',
  trialEnd: 'trialEnd',
  trialConversion: 'trialConversion',
  activation: 'activation',
} as const;

/** The key a source is kept under in each scope. */
export const sourceKeys = {
  installation: (installationId: string) => `installation#${installationId}`,
  license: (licenseId: string) => `license#${licenseId}`,
  activation: (eventId: string) => `activation#${eventId}`,
};

/** A source's contribution, and the customer whose scopes (and resellers' scopes) it counts in. */
export interface SourceContribution extends Contribution {
  readonly customerId?: string;
}

/** What an installation's newest token decided: its mode's reasons, its seats, the licenses it carried. */
export interface TokenDecision {
  readonly reasons: readonly string[];
  readonly seats: number;
  readonly licenseIds: readonly string[];
}

/**
 * The decision of the installation's newest token. The token a refresh answered is kept on the installation
 * (for the heartbeat brake), and is the newest while no token was issued since (its `iat` is the newest's).
 * Otherwise — an activation's token, a license file — its mode and reasons are the installation's `tokenMode`,
 * kept at every issue, and its seats and licenses are decided again as they stand, so that a release or a
 * suspension since does not change what the newest token decided about the mode.
 */
export function newestTokenDecision(catalog: Catalog, installation: InstallationRecord): TokenDecision {
  const recent = installation.recentToken && claimsOfToken(installation.recentToken.token);
  if (recent && (installation.tokenIat === undefined || recent.iat === installation.tokenIat)) {
    return { reasons: recent.limited?.reasons ?? [], seats: recent.seats.users, licenseIds: recent.licenses.map((license) => license.id) };
  }
  const newestReasons = installation.tokenMode && (installation.tokenMode.mode === 'limited' ? installation.tokenMode.reasons : []);
  const product = productById(catalog, installation.productId);
  if (!product) return { reasons: newestReasons ?? [], seats: 0, licenseIds: Object.keys(installation.licenses) };
  const decision = decideLicenseMode(product, toSnapshot(installation), new Date(installation.lastSeenAt));
  return { reasons: newestReasons ?? decision.reasons, seats: decision.seats.users, licenseIds: Object.keys(installation.licenses).sort() };
}

const dayMs = 24 * 60 * 60 * 1000;
const add = (into: Record<string, number>, name: string, amount: number) => {
  if (amount !== 0) into[name] = (into[name] ?? 0) + amount;
};

/**
 * An installation's contribution. While clone detection holds a second copy detected (API.md §10: its
 * chain's `cloneDetectedAt`, until ops or an issuing reseller clear it), it counts in `clonesDetected`.
 */
export function installationContribution(catalog: Catalog, installation: InstallationRecord): SourceContribution {
  const product = productById(catalog, installation.productId);
  const token = newestTokenDecision(catalog, installation);
  const activeUsers = installation.usage?.activeUsers ?? 0;
  const seenOn = dayOf(installation.lastSeenAt);
  const counted: Record<string, number> = {};
  add(counted, counters.installations(installation.productId), 1);
  add(counted, datedCounter(dated.seen, 'n', seenOn), 1);
  add(counted, datedCounter(dated.seen, 'users', seenOn), activeUsers);
  if (product?.leaseDays !== undefined && Object.keys(installation.licenses).length > 0) {
    // As slot accounting decides a lapse (lib/installations/slots.ts): unseen for the lease, and no token still valid.
    const lapsesAt = Math.max(Date.parse(installation.lastSeenAt) + product.leaseDays * dayMs, (installation.tokenExp ?? 0) * 1000);
    add(counted, datedCounter(dated.lapse, 'n', dayOf(lapsesAt)), 1);
  }
  for (const reason of token.reasons) add(counted, counters.limited(reason), 1);
  if (installation.chain?.cloneDetectedAt !== undefined) add(counted, counters.clones, 1);
  if (installation.trial || installation.trialEndedAt) add(counted, datedCounter(dated.trialStart, 'n', dayOf(installation.trial?.startedAt ?? installation.createdAt)), 1);
  if (installation.trial) {
    add(counted, counters.trialsRunning, 1);
    add(counted, datedCounter(dated.trialEnd, 'n', dayOf(installation.trial.endsAt)), 1);
  }
  if (installation.trialEndedAt) add(counted, datedCounter(dated.trialConversion, 'n', dayOf(installation.trialEndedAt)), 1);
  const overSeats: OverSeat | undefined =
    activeUsers > token.seats
      ? {
          installationId: installation.id,
          ...(installation.customerId !== undefined ? { customerId: installation.customerId } : {}),
          licenseIds: token.licenseIds,
          seatsLicensed: token.seats,
          activeUsers,
        }
      : undefined;
  return {
    ...(installation.customerId !== undefined ? { customerId: installation.customerId } : {}),
    counters: counted,
    ...(overSeats ? { overSeats } : {}),
    rev: installation.rev,
  };
}

/** The license types whose quantity is seats (`seats.licensed`). */
const seatTypes: ReadonlySet<string> = new Set(['users', 'server']);

/** A license's contribution: its status, and while active its expiry day and seats. */
export function licenseContribution(license: LicenseRecord): SourceContribution {
  const counted: Record<string, number> = {};
  const { productId } = license;
  add(counted, counters.licenses(license.status, productId), 1);
  if (license.status === 'active') {
    const seats = seatTypes.has(license.type) ? license.quantity : 0;
    add(counted, counters.seats(productId), seats);
    if (license.expiresAt !== undefined) {
      const expiresOn = dayOf(license.expiresAt);
      add(counted, datedCounter(dated.expiry, `licenses:${productId}`, expiresOn), 1);
      add(counted, datedCounter(dated.expiry, `seats:${productId}`, expiresOn), seats);
    }
  }
  return { customerId: license.customerId, counters: counted };
}

/** An activation, from its `activation.created` event: counted on the day it was made. */
export function activationContribution(event: AuditEvent): SourceContribution {
  return {
    ...(event.customerId !== undefined ? { customerId: event.customerId } : {}),
    counters: { [datedCounter(dated.activation, 'n', dayOf(event.createdAt))]: 1 },
  };
}
