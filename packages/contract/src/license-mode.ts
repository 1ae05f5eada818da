import * as z from './zod.js';
import type { LicenseType, Product } from './catalog-schema.js';
import { editionCapabilities, highestEdition, restrictedCapabilities } from './product-queries.js';
import { isBelowMinimum } from './versions.js';
import { licenseUnusableReason } from './license-state.js';
import type { LicenseUnusableReason, StoredLicenseStatus } from './license-state.js';

export const LicenseMode = z.enum(['full', 'limited']);
export type LicenseMode = z.infer<typeof LicenseMode>;

/** Why an installation runs in limited mode (the token's `limited.reasons`). */
export const LimitedReason = z.enum([
  'TRIAL_EXPIRED',
  'NOT_ACTIVATED',
  'LICENSE_EXPIRED',
  'LICENSE_SUSPENDED',
  'LICENSE_REVOKED',
  'SEATS_EXCEEDED',
  /** A second running copy of the installation was detected, where the product's catalog says `clones: "limit"` (API.md §10). */
  'CLONE_DETECTED',
]);
export type LimitedReason = z.infer<typeof LimitedReason>;

/** What the installation should tell its administrator, in any mode (the token's `warnings[].code`). */
export const WarningCode = z.enum(['VERSION_UNSUPPORTED', 'SEATS_EXCEEDED', 'CLONE_DETECTED']);
export type WarningCode = z.infer<typeof WarningCode>;

export interface LicenseSnapshot {
  id: string;
  type: LicenseType;
  quantity: number;
  edition?: string;
  /** As stored; expiry is derived from `expiresAt`. */
  status: StoredLicenseStatus;
  /** ISO-8601; absent when the license never expires. */
  expiresAt?: string;
}

export interface InstallationSnapshot {
  productId: string;
  version: string;
  /** Present only while no license was ever activated on the installation. */
  trial?: { startedAt: string; endsAt: string };
  /** The licenses activated on the installation. */
  licenses: LicenseSnapshot[];
  usage?: { activeUsers: number; reportedAt: string };
  /** Whether a second running copy of the installation was detected and not yet cleared (API.md §10). */
  cloneDetected?: boolean;
}

export interface LicenseModeDecision {
  mode: LicenseMode;
  /** Empty exactly in full mode. */
  reasons: LimitedReason[];
  /** The capabilities limited mode takes away; empty in full mode. */
  restricted: string[];
  /** Enabled capabilities and add-on features; never one of `restricted`. */
  features: string[];
  /** The active edition, for products with editions. */
  edition?: string;
  seats: { users: number; consumed: number };
  /** For products with support; `until` in epoch seconds, absent when support never ends or there is none. */
  support?: { seats: number; until?: number; updatesEligible: boolean };
  /** While the installation is on trial, even after it ended; `endsAt` in epoch seconds. */
  trial?: { endsAt: number };
  warnings: { code: WarningCode; detail: string }[];
  /** The earliest instant after `now` at which time alone changes this decision: refresh by then. */
  changesAt?: Date;
}

/** What the installation is entitled to, before seats and warnings are weighed. */
interface Entitlement {
  reasons: LimitedReason[];
  users: number;
  edition?: string;
  trialEndsAt?: number;
}

// Listed in the order license-state.ts decides them: revoked beats suspended beats expired.
const licenseReasonOrder: readonly LicenseUnusableReason[] = ['LICENSE_REVOKED', 'LICENSE_SUSPENDED', 'LICENSE_EXPIRED'];

const expiryOf = (license: LicenseSnapshot): number | undefined =>
  license.expiresAt === undefined ? undefined : Date.parse(license.expiresAt);

const sumOfQuantities = (licenses: readonly LicenseSnapshot[]): number =>
  licenses.reduce((sum, license) => sum + license.quantity, 0);

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

function trialEntitlement(product: Product, trial: { endsAt: string }, nowMs: number): Entitlement {
  const endsAtMs = Date.parse(trial.endsAt);
  return {
    reasons: endsAtMs > nowMs ? [] : ['TRIAL_EXPIRED'],
    users: product.trial?.seats ?? 0,
    edition: product.trial?.edition,
    trialEndsAt: endsAtMs,
  };
}

const ofType = (type: LicenseType) => (license: LicenseSnapshot): boolean => license.type === type;

// Limited because of the base licenses: their distinct reasons, or NOT_ACTIVATED when there is none at all.
function baseLicenseReasons(product: Product, licenses: readonly LicenseSnapshot[], nowMs: number): LimitedReason[] {
  const baseLicenses = licenses.filter(ofType(product.baseLicenseType));
  if (baseLicenses.length === 0) return ['NOT_ACTIVATED'];
  const problems = baseLicenses.map((license) => licenseUnusableReason(license, new Date(nowMs)));
  if (problems.includes(undefined)) return [];
  return licenseReasonOrder.filter((reason) => problems.includes(reason));
}

function licensedEntitlement(product: Product, licenses: readonly LicenseSnapshot[], usable: readonly LicenseSnapshot[], nowMs: number): Entitlement {
  const usableEditions = usable.filter(ofType('edition')).flatMap((license) => license.edition ?? []);
  return {
    reasons: baseLicenseReasons(product, licenses, nowMs),
    users: sumOfQuantities(usable.filter(ofType(product.seatLicenseType))),
    edition: highestEdition(product, usableEditions),
  };
}

function supportStatus(usableSupport: readonly LicenseSnapshot[], users: number): NonNullable<LicenseModeDecision['support']> {
  const seats = sumOfQuantities(usableSupport);
  const ends = usableSupport.map(expiryOf);
  const until = ends.length === 0 || ends.includes(undefined) ? undefined : epochSeconds(Math.max(...ends.filter((end) => end !== undefined)));
  // Only unexpired support licenses are usable, so seats > 0 already means support has not expired.
  return { seats, ...(until === undefined ? {} : { until }), updatesEligible: seats > 0 && seats >= users };
}

/** What the `CLONE_DETECTED` warning tells the installation's administrator. */
export const cloneDetectedDetail =
  "a second server runs with this installation's key (a cloned virtual machine, or a backup restored beside the original): each server needs its own installation";

function warningsFor(product: Product, installation: InstallationSnapshot, seats: LicenseModeDecision['seats']): LicenseModeDecision['warnings'] {
  const warnings: LicenseModeDecision['warnings'] = [];
  if (product.minVersion !== undefined && isBelowMinimum(installation.version, product.minVersion)) {
    warnings.push({ code: 'VERSION_UNSUPPORTED', detail: `${product.name} supports version ${product.minVersion} and later, and this installation reports ${installation.version}: update it` });
  }
  if (seats.consumed > seats.users) {
    warnings.push({ code: 'SEATS_EXCEEDED', detail: `${seats.consumed} users are active but ${seats.users} user seats are licensed` });
  }
  if (installation.cloneDetected) warnings.push({ code: 'CLONE_DETECTED', detail: cloneDetectedDetail });
  return warnings;
}

/**
 * Whether an installation runs in full or limited mode, and with what: edition, features, seats, support,
 * warnings. Pure: everything it depends on, the time included, is an argument.
 *
 * An installation is judged by its licenses once it has any; its trial (which activation ends) only counts
 * while it has none.
 */
export function decideLicenseMode(product: Product, installation: InstallationSnapshot, now: Date): LicenseModeDecision {
  const nowMs = now.getTime();
  const { trial, licenses } = installation;
  const usable = licenses.filter((license) => licenseUnusableReason(license, now) === undefined);
  const entitlement = trial && licenses.length === 0 ? trialEntitlement(product, trial, nowMs) : licensedEntitlement(product, licenses, usable, nowMs);

  const seats = { users: entitlement.users, consumed: installation.usage?.activeUsers ?? 0 };
  const seatsLimited = product.seatOverage === 'limit' && seats.consumed > seats.users;
  const cloneLimited = product.clones === 'limit' && installation.cloneDetected === true;
  const reasons: LimitedReason[] = [...entitlement.reasons, ...(seatsLimited ? (['SEATS_EXCEEDED'] as const) : []), ...(cloneLimited ? (['CLONE_DETECTED'] as const) : [])];
  const mode: LicenseMode = reasons.length === 0 ? 'full' : 'limited';

  const restricted = mode === 'limited' ? restrictedCapabilities(product) : [];
  const addOnFeatures = Object.entries(product.addOns).flatMap(([type, feature]) => (usable.some((license) => license.type === type) ? [feature] : []));
  const features = [...editionCapabilities(product, entitlement.edition), ...addOnFeatures].filter((feature) => !restricted.includes(feature));

  const changes = [entitlement.trialEndsAt, ...usable.map(expiryOf)]
    .filter((instant) => instant !== undefined)
    .filter((instant) => instant > nowMs);

  return {
    mode,
    reasons,
    restricted,
    features,
    ...(entitlement.edition === undefined ? {} : { edition: entitlement.edition }),
    seats,
    ...(product.support ? { support: supportStatus(usable.filter(ofType('support')), seats.users) } : {}),
    ...(entitlement.trialEndsAt === undefined ? {} : { trial: { endsAt: epochSeconds(entitlement.trialEndsAt) } }),
    warnings: warningsFor(product, installation, seats),
    ...(changes.length === 0 ? {} : { changesAt: new Date(Math.min(...changes)) }),
  };
}
