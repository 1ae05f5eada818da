/**
 * One license's state at a moment, decided once for the service (activation, views, status changes)
 * and the client (limited mode): revoked beats suspended beats expired, and an end date that cannot
 * be read counts as passed, so a damaged record fails closed.
 */

/** The status a license is stored with; `expired` is never stored, it follows from `expiresAt`. */
export type StoredLicenseStatus = 'active' | 'suspended' | 'revoked';

/** Why a license cannot be used now, most final first. */
export type LicenseUnusableReason = 'LICENSE_REVOKED' | 'LICENSE_SUSPENDED' | 'LICENSE_EXPIRED';

export interface LicenseStateInput {
  readonly status: StoredLicenseStatus;
  /** ISO-8601; absent when the license never expires. */
  readonly expiresAt?: string | undefined;
}

/** Whether the license's end has passed at `now`; a license without an end never expires. */
export function hasExpired(license: Pick<LicenseStateInput, 'expiresAt'>, now: Date): boolean {
  if (license.expiresAt === undefined) return false;
  // Date.parse answers NaN for an unreadable date, and NaN is never in the future.
  return !(Date.parse(license.expiresAt) > now.getTime());
}

/** Why the license cannot be used at `now`, or undefined when it can. */
export function licenseUnusableReason(license: LicenseStateInput, now: Date): LicenseUnusableReason | undefined {
  if (license.status === 'revoked') return 'LICENSE_REVOKED';
  if (license.status === 'suspended') return 'LICENSE_SUSPENDED';
  return hasExpired(license, now) ? 'LICENSE_EXPIRED' : undefined;
}

/** The status the contract shows: the stored one, or `expired` for an active license whose end has passed. */
export function effectiveLicenseStatus(license: LicenseStateInput, now: Date): StoredLicenseStatus | 'expired' {
  return license.status === 'active' && hasExpired(license, now) ? 'expired' : license.status;
}
