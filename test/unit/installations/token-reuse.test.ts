import { describe, expect, it } from 'vitest';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { InstallationRecord } from '#lib/data/installations.js';
import { brakePeriodSeconds, headToken, reusableToken } from '#lib/installations/token-reuse.js';

const day = 24 * 60 * 60;
const t0 = 1_780_000_000;
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The head's token as the installation item keeps it (the brake only decodes it: no signature needed here). */
const headClaims: LicenseTokenClaims = {
  iss: 'license-activation',
  aud: 'authserver',
  sub: 'inst',
  cnf: { jkt: 'inst' },
  jti: 'first',
  iat: t0,
  exp: t0 + 30 * day,
  refreshAfter: t0 + 7 * day,
  customerId: 'acc_1',
  mode: 'full',
  features: ['admin-login'],
  seats: { users: 10, consumed: 2 },
  licenses: [{ id: 'lic_1', type: 'users', quantity: 10, status: 'active' }],
  warnings: [],
  chain: 'H1',
};
const tokenOf = (claims: LicenseTokenClaims, kid = 'key-1') => `${segment({ alg: 'ES256', typ: 'license+jwt', kid })}.${segment(claims)}.signature`;

function installation(overrides: { claims?: Partial<LicenseTokenClaims>; kid?: string; tokenRev?: number; head?: string } = {}): InstallationRecord {
  return {
    id: 'inst',
    productId: 'authserver',
    customerId: 'acc_1',
    hostname: 'srv',
    version: '5.0.0',
    virtual: false,
    fingerprintHash: 'fp',
    createdAt: '2026-06-01T00:00:00.000Z',
    lastSeenAt: '2026-06-01T00:00:00.000Z',
    licenses: {},
    chain: { head: overrides.head ?? 'H1', issuedAt: new Date(t0 * 1000).toISOString(), replaced: [], forks: 0, presented: true },
    recentToken: { token: tokenOf({ ...headClaims, ...overrides.claims }, overrides.kid), rev: overrides.tokenRev ?? 5 },
    rev: 5,
  };
}

/** What a new token would claim `after` seconds later: the same decision unless `changes` says otherwise. */
const fresh = (after: number, changes: Partial<LicenseTokenClaims> = {}): LicenseTokenClaims => ({
  ...headClaims,
  jti: 'second',
  iat: t0 + after,
  exp: t0 + after + 30 * day,
  refreshAfter: t0 + after + day,
  ...changes,
});

describe('reusableToken (the heartbeat brake)', () => {
  it.each<[string, InstallationRecord, LicenseTokenClaims, boolean]>([
    ['the same decision a day later', installation(), fresh(day), true],
    ['only the seats consumed differ (within the seats)', installation(), fresh(day, { seats: { users: 10, consumed: 7 } }), true],
    ['at the end of the 7 days', installation({ claims: { refreshAfter: t0 + 8 * day } }), fresh(brakePeriodSeconds), true],
    ['a second past the 7 days, even where the token asks for its refresh later', installation({ claims: { refreshAfter: t0 + 8 * day } }), fresh(brakePeriodSeconds + 1), false],
    ['its refresh has come', installation(), fresh(7 * day), false],
    ['another mode and limited reasons', installation(), fresh(day, { mode: 'limited', limited: { reasons: ['LICENSE_SUSPENDED'], restricted: ['user-login'] } }), false],
    ['other warnings', installation(), fresh(day, { warnings: [{ code: 'SEATS_EXCEEDED', detail: '11 of 10' }] }), false],
    ['other licenses', installation(), fresh(day, { licenses: [] }), false],
    ['a detected clone', installation(), fresh(day, { warnings: [{ code: 'CLONE_DETECTED', detail: 'copies' }] }), false],
    ['signed with a former key', installation({ kid: 'key-0' }), fresh(day), false],
    ['something but a heartbeat wrote the installation since', installation({ tokenRev: 4 }), fresh(day), false],
    ['the recent token does not carry the head (an older token kept)', installation({ head: 'H2' }), fresh(day, { chain: 'H2' }), false],
  ])('%s: %s', (_case, record, claims, reused) => {
    expect(reusableToken(record, claims, 'key-1') !== undefined).toBe(reused);
  });

  it('answers the head token itself, with its exp and iat unchanged', () => {
    const record = installation();
    expect(reusableToken(record, fresh(day), 'key-1')).toEqual({ token: record.recentToken?.token, exp: headClaims.exp, iat: headClaims.iat });
  });
});

describe('headToken', () => {
  it('is the recent token while it carries the head, and nothing otherwise', () => {
    expect(headToken(installation())?.token).toBe(installation().recentToken?.token);
    expect(headToken(installation({ head: 'H2' }))).toBeUndefined();
    expect(headToken({ ...installation(), recentToken: undefined })).toBeUndefined();
  });
});
