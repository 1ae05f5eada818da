import { describe, expect, it } from 'vitest';
import type { LicenseRecord } from '#lib/data/licenses.js';
import { decideTransition } from '#lib/licenses/change-license-status.js';
import type { LicenseAction } from '#lib/licenses/change-license-status.js';

const now = new Date('2026-06-01T00:00:00Z');
const license = (overrides: Partial<LicenseRecord>): LicenseRecord => ({
  id: 'lic_1', customerId: 'acc_1', productId: 'authserver', type: 'users', quantity: 10, status: 'active',
  keyPrefix: 'ABCDE', issuedBy: 'ops', createdAt: '2026-01-01T00:00:00Z', maxActivations: 1, activations: 0, ...overrides,
});
const expired = { expiresAt: '2026-05-01T00:00:00Z' };

describe('decideTransition', () => {
  it.each<[string, Partial<LicenseRecord>, LicenseAction, ReturnType<typeof decideTransition>]>([
    ['suspends an active license', {}, 'suspend', { to: 'suspended' }],
    ['leaves a suspended license suspended', { status: 'suspended' }, 'suspend', { unchanged: true }],
    ['refuses to suspend an expired license', expired, 'suspend', { conflict: 'the license has expired' }],
    ['refuses to suspend a revoked license', { status: 'revoked' }, 'suspend', { conflict: 'the license is revoked, which is final' }],
    ['reinstates a suspended license', { status: 'suspended' }, 'reinstate', { to: 'active' }],
    ['reinstates a suspended license that has since expired', { status: 'suspended', ...expired }, 'reinstate', { to: 'active' }],
    ['leaves an active license active', {}, 'reinstate', { unchanged: true }],
    ['refuses to reinstate a revoked license', { status: 'revoked' }, 'reinstate', { conflict: 'the license is revoked, which is final' }],
    ['revokes an active license', {}, 'revoke', { to: 'revoked' }],
    ['revokes a suspended license', { status: 'suspended' }, 'revoke', { to: 'revoked' }],
    ['revokes an expired license', expired, 'revoke', { to: 'revoked' }],
    ['leaves a revoked license revoked', { status: 'revoked' }, 'revoke', { unchanged: true }],
  ])('%s', (_, overrides, action, expected) => {
    expect(decideTransition(license(overrides), action, now)).toEqual(expected);
  });
});
