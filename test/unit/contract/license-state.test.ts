import { describe, expect, it } from 'vitest';
import { effectiveLicenseStatus, hasExpired, licenseUnusableReason } from '@license-activation/contract/license-state';
import type { LicenseStateInput } from '@license-activation/contract/license-state';

const now = new Date('2026-06-01T12:00:00.000Z');
const past = '2026-05-31T12:00:00.000Z';
const future = '2026-06-02T12:00:00.000Z';

describe('license state', () => {
  it.each([
    [{ status: 'active' }, undefined, 'active'],
    [{ status: 'active', expiresAt: future }, undefined, 'active'],
    [{ status: 'active', expiresAt: past }, 'LICENSE_EXPIRED', 'expired'],
    [{ status: 'active', expiresAt: now.toISOString() }, 'LICENSE_EXPIRED', 'expired'],
    [{ status: 'suspended', expiresAt: future }, 'LICENSE_SUSPENDED', 'suspended'],
    [{ status: 'suspended', expiresAt: past }, 'LICENSE_SUSPENDED', 'suspended'],
    [{ status: 'revoked', expiresAt: past }, 'LICENSE_REVOKED', 'revoked'],
    [{ status: 'revoked' }, 'LICENSE_REVOKED', 'revoked'],
  ] as const)('%o is unusable because %s and shows as %s', (license: LicenseStateInput, reason, shown) => {
    expect(licenseUnusableReason(license, now)).toBe(reason);
    expect(effectiveLicenseStatus(license, now)).toBe(shown);
  });

  it('treats an end date it cannot read as passed, so a damaged record fails closed', () => {
    for (const expiresAt of ['', 'soon', '2026-13-45T00:00:00Z']) {
      expect(hasExpired({ expiresAt }, now)).toBe(true);
      expect(licenseUnusableReason({ status: 'active', expiresAt }, now)).toBe('LICENSE_EXPIRED');
      expect(effectiveLicenseStatus({ status: 'active', expiresAt }, now)).toBe('expired');
    }
  });

  it('never expires a license without an end', () => {
    expect(hasExpired({}, new Date(8.64e15))).toBe(false);
  });
});
