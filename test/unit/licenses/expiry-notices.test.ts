import { describe, expect, it } from 'vitest';
import { decideExpiryNotice } from '#lib/licenses/expiry-notices.js';

const expiresAt = '2027-03-01T00:00:00.000Z';
const day = 24 * 60 * 60 * 1000;
const before = (days: number) => new Date(Date.parse(expiresAt) - days * day);
const active = { status: 'active' as const, expiresAt };

describe('decideExpiryNotice', () => {
  it('waits until the 30-day window opens', () => {
    expect(decideExpiryNotice(active, [], before(45))).toEqual({ kind: 'later', nextAt: before(30).toISOString() });
  });

  it('gives license.expiring at 30 days once, then waits for the 7-day window', () => {
    expect(decideExpiryNotice(active, [], before(30))).toEqual({
      kind: 'give',
      notice: { type: 'license.expiring', data: { expiresAt, daysLeft: 30 } },
      given: ['30'],
      nextAt: before(7).toISOString(),
    });
    expect(decideExpiryNotice(active, ['30'], before(20))).toEqual({ kind: 'later', nextAt: before(7).toISOString() });
  });

  it('gives license.expiring at 7 days once, then waits for the end', () => {
    expect(decideExpiryNotice(active, ['30'], new Date(before(7).getTime() + 3_600_000))).toMatchObject({ kind: 'give', notice: { data: { daysLeft: 7 } }, given: ['30', '7'], nextAt: expiresAt });
    expect(decideExpiryNotice(active, ['30', '7'], before(3))).toEqual({ kind: 'later', nextAt: expiresAt });
  });

  it('gives the narrower notice alone to a license inside both windows at once (issued 5 days before its end)', () => {
    expect(decideExpiryNotice(active, [], before(5))).toMatchObject({ kind: 'give', notice: { type: 'license.expiring', data: { daysLeft: 5 } }, given: ['30', '7'] });
  });

  it('gives license.expired once it has passed, then nothing more', () => {
    expect(decideExpiryNotice(active, ['30', '7'], before(0))).toEqual({ kind: 'give', notice: { type: 'license.expired', data: { expiresAt } }, given: ['30', '7', 'expired'] });
    expect(decideExpiryNotice(active, ['30', '7', 'expired'], before(-1))).toEqual({ kind: 'done' });
  });

  it('gives a suspended license its notices, a revoked one none', () => {
    expect(decideExpiryNotice({ ...active, status: 'suspended' }, [], before(10)).kind).toBe('give');
    expect(decideExpiryNotice({ ...active, status: 'revoked' }, [], before(10))).toEqual({ kind: 'done' });
  });
});
