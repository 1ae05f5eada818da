import { describe, expect, it } from 'vitest';
import { evaluateLicenseStatus, isCapabilityAllowed } from '../../../packages/client/src/license-status.js';
import type { StatusInput } from '../../../packages/client/src/license-status.js';
import type { TokenVerification } from '../../../packages/client/src/verify-license-token.js';
import type { Product } from '@license-activation/contract/catalog-schema';
import { productById } from '@license-activation/contract/product-queries';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { daySeconds, licenseClaims, now, nowSeconds } from './client-fixtures.js';

const installationId = 'installation-1';
function product(id: string): Product {
  const found = productById(referenceCatalog, id);
  if (!found) throw new TypeError(`the reference catalog has no ${id}`);
  return found;
}

const valid = (overrides: Partial<LicenseTokenClaims> = {}): TokenVerification => ({ valid: true, claims: licenseClaims(installationId, overrides), keyId: 'vendor-key-2026' });

function evaluate(overrides: Partial<StatusInput>): ReturnType<typeof evaluateLicenseStatus> {
  return evaluateLicenseStatus({
    installationId,
    product: product('authserver'),
    productVersion: '5.0.0',
    token: valid(),
    now,
    highestTimeSeen: now.getTime() - 60_000,
    clockToleranceSeconds: 300,
    ...overrides,
  });
}

const isoOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();
/** What authserver leaves an installation without a usable license. */
const unlicensed = { features: ['admin-login', 'activation'], restricted: ['user-login', 'otp-verification', 'user-provisioning', 'reporting'] };

describe('evaluateLicenseStatus', () => {
  it('reports the mode, features, seats and dates of a valid full token', () => {
    const claims = licenseClaims(installationId);

    expect(evaluate({})).toEqual({
      installationId,
      mode: 'full',
      reasons: [],
      restricted: [],
      features: claims.features,
      edition: null,
      seats: { users: 50, consumed: 3 },
      expiresAt: isoOf(claims.exp),
      refreshAfter: isoOf(claims.refreshAfter),
      trialEndsAt: null,
      warnings: [],
      tokenProblem: null,
      evaluatedAt: now.toISOString(),
    });
  });

  it('is limited NOT_ACTIVATED, with what the product leaves unlicensed, when no token is stored', () => {
    expect(evaluate({ token: undefined })).toMatchObject({ mode: 'limited', reasons: ['NOT_ACTIVATED'], ...unlicensed, seats: null, expiresAt: null });
  });

  it('is limited INVALID_TOKEN, saying which check failed, when the stored token does not verify', () => {
    const status = evaluate({ token: { valid: false, problem: 'OTHER_INSTALLATION', detail: 'the token belongs to another installation' } });

    expect(status).toMatchObject({ mode: 'limited', reasons: ['INVALID_TOKEN'], ...unlicensed, seats: null, edition: null });
    expect(status.tokenProblem).toEqual({ problem: 'OTHER_INSTALLATION', detail: 'the token belongs to another installation' });
  });

  it('keeps the mode, reasons and restrictions of a token that is limited by itself', () => {
    const token = valid({ mode: 'limited', limited: { reasons: ['LICENSE_SUSPENDED'], restricted: ['reporting'] }, features: ['admin-login', 'user-login'] });

    expect(evaluate({ token })).toMatchObject({ mode: 'limited', reasons: ['LICENSE_SUSPENDED'], restricted: ['reporting'], features: ['admin-login', 'user-login'] });
  });

  it.each([
    ['an hour before its exp', 30 * daySeconds - 2 * 3600, 'full', []],
    ['at its exp', 30 * daySeconds - 3600, 'limited', ['TOKEN_EXPIRED']],
    ['a day after its exp', 31 * daySeconds, 'limited', ['TOKEN_EXPIRED']],
  ])('judges a token %s by its exp', (_, secondsLater, mode, reasons) => {
    const later = new Date((nowSeconds + secondsLater) * 1000);

    expect(evaluate({ now: later })).toMatchObject({ mode, reasons });
  });

  it('warns REFRESH_OVERDUE past refreshAfter and stays full during the grace period', () => {
    const claims = licenseClaims(installationId);
    const inGrace = new Date((claims.refreshAfter + 3600) * 1000);

    const status = evaluate({ now: inGrace });

    expect(status.mode).toBe('full');
    expect(status.warnings).toEqual([{ code: 'REFRESH_OVERDUE', detail: expect.stringContaining(isoOf(claims.exp)) }]);
  });

  it('keeps the token warnings next to its own', () => {
    const seatsExceeded = { code: 'SEATS_EXCEEDED' as const, detail: '60 users are active but 50 user seats are licensed' };
    const status = evaluate({ token: valid({ warnings: [seatsExceeded] }), now: new Date((nowSeconds + 2 * daySeconds) * 1000) });

    expect(status.warnings.map((warning) => warning.code)).toEqual(['SEATS_EXCEEDED', 'REFRESH_OVERDUE']);
  });

  it('is limited TRIAL_EXPIRED once the trial ends, although the token is still valid', () => {
    const token = valid({ trial: { endsAt: nowSeconds - 60 }, licenses: [], customerId: undefined });

    expect(evaluate({ token })).toMatchObject({ mode: 'limited', reasons: ['TRIAL_EXPIRED'], ...unlicensed, trialEndsAt: isoOf(nowSeconds - 60) });
  });

  it('stays full on a trial that has not ended', () => {
    const token = valid({ trial: { endsAt: nowSeconds + 60 }, licenses: [] });

    expect(evaluate({ token })).toMatchObject({ mode: 'full', reasons: [] });
  });

  it('is limited LICENSE_EXPIRED once its only base license ends, although the token is still valid', () => {
    const token = valid({ licenses: [{ id: 'lic_users', type: 'users', quantity: 50, status: 'active', expiresAt: nowSeconds - 1 }] });

    expect(evaluate({ token })).toMatchObject({ mode: 'limited', reasons: ['LICENSE_EXPIRED'], ...unlicensed });
  });

  it('stays full while another base license has not ended', () => {
    const token = valid({
      licenses: [
        { id: 'lic_old', type: 'users', quantity: 10, status: 'active', expiresAt: nowSeconds - 1 },
        { id: 'lic_new', type: 'users', quantity: 40, status: 'active' },
      ],
    });

    // The ended pack's seats go with it, although the token still lists them (API.md §5, issue 16.3).
    expect(evaluate({ token })).toMatchObject({ mode: 'full', seats: { users: 40, consumed: 3 } });
  });

  it("drops an ended add-on's feature and seats offline, keeping the rest of the token's grant", () => {
    const token = valid({
      aud: 'vault',
      edition: 'premium',
      features: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services', 'session-recording', 'sites'],
      seats: { users: 60, consumed: 3 },
      licenses: [
        { id: 'lic_edition', type: 'edition', quantity: 1, edition: 'premium', status: 'active' },
        { id: 'lic_users', type: 'users', quantity: 10, status: 'active' },
        { id: 'lic_pack', type: 'users', quantity: 50, status: 'active', expiresAt: nowSeconds - 1 },
        { id: 'lic_site', type: 'site', quantity: 1, status: 'active', expiresAt: nowSeconds - 1 },
      ],
    });

    const status = evaluate({ product: product('vault'), token });
    expect(status).toMatchObject({ mode: 'full', edition: 'premium', seats: { users: 10, consumed: 3 } });
    expect(status.features).toContain('session-recording');
    expect(status.features).not.toContain('sites');
  });

  it('stays full when only an add-on of a vault ends (the edition license is the base)', () => {
    const token = valid({
      aud: 'vault',
      edition: 'professional',
      licenses: [
        { id: 'lic_edition', type: 'edition', quantity: 1, edition: 'professional', status: 'active' },
        { id: 'lic_support', type: 'support', quantity: 5, status: 'active', expiresAt: nowSeconds - 1 },
      ],
    });

    expect(evaluate({ product: product('vault'), token })).toMatchObject({ mode: 'full', edition: 'professional' });
  });

  it('does not repeat a reason the token already gives', () => {
    const token = valid({ mode: 'limited', limited: { reasons: ['TRIAL_EXPIRED'], restricted: unlicensed.restricted }, features: unlicensed.features, trial: { endsAt: nowSeconds - 60 }, licenses: [] });

    expect(evaluate({ token }).reasons).toEqual(['TRIAL_EXPIRED']);
  });

  describe('with a clock set back', () => {
    it('is limited CLOCK_TAMPERED when the clock is more than the tolerance behind the latest time seen', () => {
      const status = evaluate({ highestTimeSeen: now.getTime() + 10 * 60_000 });

      expect(status).toMatchObject({ mode: 'limited', reasons: ['CLOCK_TAMPERED'], ...unlicensed });
    });

    it('accepts a clock behind the latest time seen by less than the tolerance', () => {
      expect(evaluate({ highestTimeSeen: now.getTime() + 4 * 60_000 }).mode).toBe('full');
    });

    it('judges expiry by the latest time seen, so setting the clock back does not revive an expired token', () => {
      const claims = licenseClaims(installationId);
      const afterExpiry = (claims.exp + daySeconds) * 1000;

      expect(evaluate({ highestTimeSeen: afterExpiry }).reasons).toEqual(['TOKEN_EXPIRED', 'CLOCK_TAMPERED']);
    });

    it('adds CLOCK_TAMPERED to NOT_ACTIVATED without a token', () => {
      expect(evaluate({ token: undefined, highestTimeSeen: now.getTime() + 3_600_000 }).reasons).toEqual(['NOT_ACTIVATED', 'CLOCK_TAMPERED']);
    });
  });
});

describe('isCapabilityAllowed', () => {
  it.each([
    ['a feature of a full token', { mode: 'full' as const, features: ['reporting'], restricted: [] }, 'reporting', true],
    ['a capability the full token does not list', { mode: 'full' as const, features: ['admin-login'], restricted: [] }, 'reporting', false],
    ['a limited-mode feature that is not restricted', { mode: 'limited' as const, features: ['admin-login'], restricted: ['reporting'] }, 'admin-login', true],
    ['a restricted capability in limited mode', { mode: 'limited' as const, features: ['reporting'], restricted: ['reporting'] }, 'reporting', false],
    ['an unlisted capability in limited mode', { mode: 'limited' as const, features: ['admin-login'], restricted: [] }, 'reporting', false],
  ])('answers %s', (_, status, capability, allowed) => {
    expect(isCapabilityAllowed(status, capability)).toBe(allowed);
  });
});
