import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { Product } from '@license-activation/contract/catalog-schema';
import { productById, referenceCatalog, restrictedCapabilities } from '@license-activation/contract/reference-catalog';
import { decideLicenseMode } from '@license-activation/contract/license-mode';
import type { InstallationSnapshot, LicenseModeDecision, LicenseSnapshot } from '@license-activation/contract/license-mode';

const now = new Date('2025-06-01T12:00:00.000Z');
const dayMs = 86_400_000;
const inDays = (days: number): Date => new Date(now.getTime() + days * dayMs);
const isoInDays = (days: number): string => inDays(days).toISOString();
const secondsInDays = (days: number): number => Math.floor(inDays(days).getTime() / 1000);

type ProductId = 'authserver' | 'vault' | 'modeler';

function product(id: ProductId): Product {
  const found = productById(referenceCatalog, id);
  if (!found) throw new TypeError(`the reference catalog has no ${id}`);
  return found;
}

const license = (type: LicenseSnapshot['type'], fields: Partial<LicenseSnapshot> = {}): LicenseSnapshot => ({
  id: `lic-${type}`,
  type,
  quantity: 1,
  status: 'active',
  ...fields,
});

const premium = (fields: Partial<LicenseSnapshot> = {}): LicenseSnapshot => license('edition', { edition: 'premium', ...fields });

function decide(id: ProductId, snapshot: Partial<InstallationSnapshot> = {}, at: Date = now): LicenseModeDecision {
  return decideLicenseMode(product(id), { productId: id, version: '5.0.0', licenses: [], ...snapshot }, at);
}

const trialFor = (endsInDays: number): InstallationSnapshot['trial'] => ({ startedAt: isoInDays(endsInDays - 30), endsAt: isoInDays(endsInDays) });

const capabilities = {
  authserver: ['admin-login', 'activation', 'user-login', 'otp-verification', 'user-provisioning', 'reporting'],
  vaultExpress: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import'],
  vaultProfessional: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services'],
  vaultPremium: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services', 'session-recording'],
  vaultLimited: ['admin-login', 'activation', 'secret-read'],
  modeler: ['admin-login', 'activation', 'model-editing', 'model-viewing', 'database-import'],
  adminOnly: ['admin-login', 'activation'],
};
const restrictions = {
  authserver: ['user-login', 'otp-verification', 'user-provisioning', 'reporting'],
  vault: ['secret-write', 'secret-import', 'ad-sync', 'web-services'],
  modeler: ['model-editing', 'model-viewing', 'database-import'],
};
const noSupport = { seats: 0, updatesEligible: false };

describe('decideLicenseMode', () => {
  describe('on trial', () => {
    it.each<[string, ProductId, number, LicenseModeDecision]>([
      ['runs authserver in full mode with 25 trial seats while its trial runs', 'authserver', 1, {
        mode: 'full', reasons: [], restricted: [], features: capabilities.authserver,
        seats: { users: 25, consumed: 0 }, trial: { endsAt: secondsInDays(1) }, warnings: [], changesAt: inDays(1),
      }],
      ['limits authserver with TRIAL_EXPIRED when its trial ends exactly now', 'authserver', 0, {
        mode: 'limited', reasons: ['TRIAL_EXPIRED'], restricted: restrictions.authserver, features: capabilities.adminOnly,
        seats: { users: 25, consumed: 0 }, trial: { endsAt: secondsInDays(0) }, warnings: [],
      }],
      ['limits authserver with TRIAL_EXPIRED after its trial ended', 'authserver', -1, {
        mode: 'limited', reasons: ['TRIAL_EXPIRED'], restricted: restrictions.authserver, features: capabilities.adminOnly,
        seats: { users: 25, consumed: 0 }, trial: { endsAt: secondsInDays(-1) }, warnings: [],
      }],
      ['runs vault as professional with 5 trial seats while its trial runs', 'vault', 1, {
        mode: 'full', reasons: [], restricted: [], features: capabilities.vaultProfessional, edition: 'professional',
        seats: { users: 5, consumed: 0 }, support: noSupport, trial: { endsAt: secondsInDays(1) }, warnings: [], changesAt: inDays(1),
      }],
      ['limits vault with TRIAL_EXPIRED when its trial ends exactly now', 'vault', 0, {
        mode: 'limited', reasons: ['TRIAL_EXPIRED'], restricted: restrictions.vault, features: capabilities.vaultLimited, edition: 'professional',
        seats: { users: 5, consumed: 0 }, support: noSupport, trial: { endsAt: secondsInDays(0) }, warnings: [],
      }],
      ['limits vault with TRIAL_EXPIRED after its trial ended', 'vault', -1, {
        mode: 'limited', reasons: ['TRIAL_EXPIRED'], restricted: restrictions.vault, features: capabilities.vaultLimited, edition: 'professional',
        seats: { users: 5, consumed: 0 }, support: noSupport, trial: { endsAt: secondsInDays(-1) }, warnings: [],
      }],
    ])('%s', (_case, id, endsInDays, expected) => {
      expect(decide(id, { trial: trialFor(endsInDays) })).toEqual(expected);
    });

    it('limits a trial one millisecond after it ends', () => {
      const decision = decide('authserver', { trial: trialFor(0) }, new Date(now.getTime() + 1));

      expect(decision.reasons).toEqual(['TRIAL_EXPIRED']);
    });

    it('warns authserver with SEATS_EXCEEDED when a running trial has more users than trial seats', () => {
      const decision = decide('authserver', { trial: trialFor(1), usage: { activeUsers: 26, reportedAt: isoInDays(0) } });

      expect(decision).toMatchObject({ mode: 'full', seats: { users: 25, consumed: 26 } });
      expect(decision.warnings).toEqual([{ code: 'SEATS_EXCEEDED', detail: '26 users are active but 25 user seats are licensed' }]);
    });

    it('judges an installation by its licenses once it has any, even with a trial left on it', () => {
      const decision = decide('authserver', { trial: trialFor(1), licenses: [license('users', { quantity: 10 })] });

      expect(decision).toMatchObject({ mode: 'full', seats: { users: 10, consumed: 0 } });
      expect(decision.trial).toBeUndefined();
      expect(decision.changesAt).toBeUndefined();
    });
  });

  describe('not activated', () => {
    it.each<[ProductId, LicenseModeDecision]>([
      ['authserver', {
        mode: 'limited', reasons: ['NOT_ACTIVATED'], restricted: restrictions.authserver, features: capabilities.adminOnly,
        seats: { users: 0, consumed: 0 }, warnings: [],
      }],
      ['vault', {
        mode: 'limited', reasons: ['NOT_ACTIVATED'], restricted: restrictions.vault, features: capabilities.vaultLimited,
        seats: { users: 0, consumed: 0 }, support: noSupport, warnings: [],
      }],
      ['modeler', {
        mode: 'limited', reasons: ['NOT_ACTIVATED'], restricted: restrictions.modeler, features: capabilities.adminOnly,
        seats: { users: 0, consumed: 0 }, warnings: [],
      }],
    ])('limits %s with NOT_ACTIVATED without trial or license', (id, expected) => {
      expect(decide(id)).toEqual(expected);
    });

    it.each<[string, ProductId, LicenseSnapshot[]]>([
      ['a vault with only a users pack', 'vault', [license('users', { quantity: 10 })]],
      ['a vault with only support and add-ons', 'vault', [license('support', { quantity: 10 }), license('site'), license('engine')]],
    ])('limits %s with NOT_ACTIVATED', (_case, id, licenses) => {
      expect(decide(id, { licenses })).toMatchObject({ mode: 'limited', reasons: ['NOT_ACTIVATED'] });
    });
  });

  describe('base license status and expiry', () => {
    const baseLicenses: [ProductId, LicenseSnapshot][] = [
      ['authserver', license('users', { quantity: 10 })],
      ['vault', premium()],
      ['modeler', license('server', { quantity: 5 })],
    ];
    const variants: [string, Partial<LicenseSnapshot>, LicenseModeDecision['reasons']][] = [
      ['active without expiry', {}, []],
      ['active until tomorrow', { expiresAt: isoInDays(1) }, []],
      ['active until one millisecond from now', { expiresAt: new Date(now.getTime() + 1).toISOString() }, []],
      ['active but expiring exactly now', { expiresAt: isoInDays(0) }, ['LICENSE_EXPIRED']],
      ['active but expired yesterday', { expiresAt: isoInDays(-1) }, ['LICENSE_EXPIRED']],
      ['active with an unreadable expiry', { expiresAt: 'someday' }, ['LICENSE_EXPIRED']],
      ['suspended', { status: 'suspended' }, ['LICENSE_SUSPENDED']],
      ['suspended and expired', { status: 'suspended', expiresAt: isoInDays(-1) }, ['LICENSE_SUSPENDED']],
      ['revoked', { status: 'revoked' }, ['LICENSE_REVOKED']],
      ['revoked and expired', { status: 'revoked', expiresAt: isoInDays(-1) }, ['LICENSE_REVOKED']],
    ];
    const cases = baseLicenses.flatMap(([id, base]) => variants.map(([variant, fields, reasons]) => [id, variant, { ...base, ...fields }, reasons] as const));

    it.each(cases)('decides %s with a base license %s', (id, _variant, base, reasons) => {
      const decision = decide(id, { licenses: [base] });

      expect(decision.reasons).toEqual(reasons);
      expect(decision.mode).toBe(reasons.length === 0 ? 'full' : 'limited');
    });

    it.each<[string, LicenseSnapshot[], LicenseModeDecision['reasons']]>([
      ['revoked, suspended and expired licenses', [license('users', { status: 'suspended' }), license('users', { expiresAt: isoInDays(-1) }), license('users', { status: 'revoked' })], ['LICENSE_REVOKED', 'LICENSE_SUSPENDED', 'LICENSE_EXPIRED']],
      ['an expired and a revoked license', [license('users', { expiresAt: isoInDays(-1) }), license('users', { status: 'revoked' })], ['LICENSE_REVOKED', 'LICENSE_EXPIRED']],
      ['two suspended licenses', [license('users', { status: 'suspended' }), license('users', { status: 'suspended' })], ['LICENSE_SUSPENDED']],
      ['a suspended and an active license', [license('users', { status: 'suspended' }), license('users')], []],
      ['an expired and an active license', [license('users', { expiresAt: isoInDays(-1) }), license('users')], []],
    ])('gives authserver with %s the distinct reasons, most severe first', (_case, licenses, reasons) => {
      expect(decide('authserver', { licenses }).reasons).toEqual(reasons);
    });

    it('runs authserver in full mode with the active seats only when one of two users packs is suspended', () => {
      const licenses = [license('users', { id: 'lic-1', quantity: 10, status: 'suspended' }), license('users', { id: 'lic-2', quantity: 5 })];

      expect(decide('authserver', { licenses })).toEqual({
        mode: 'full', reasons: [], restricted: [], features: capabilities.authserver, seats: { users: 5, consumed: 0 }, warnings: [],
      });
    });
  });

  describe('user seats', () => {
    it.each<[string, LicenseSnapshot, number]>([
      ['active', license('users', { quantity: 10 }), 10],
      ['active until tomorrow', license('users', { quantity: 10, expiresAt: isoInDays(1) }), 10],
      ['expired', license('users', { quantity: 10, expiresAt: isoInDays(-1) }), 0],
      ['suspended', license('users', { quantity: 10, status: 'suspended' }), 0],
      ['revoked', license('users', { quantity: 10, status: 'revoked' }), 0],
    ])('counts a vault users pack that is %s, without changing the mode', (_case, users, seats) => {
      const decision = decide('vault', { licenses: [premium(), users] });

      expect(decision).toMatchObject({ mode: 'full', reasons: [], seats: { users: seats } });
    });

    it('adds up the seats of several users packs', () => {
      const licenses = [license('users', { id: 'lic-1', quantity: 10 }), license('users', { id: 'lic-2', quantity: 15 })];

      expect(decide('authserver', { licenses }).seats).toEqual({ users: 25, consumed: 0 });
    });

    it('does not count edition licenses as user seats', () => {
      expect(decide('vault', { licenses: [premium({ quantity: 3 })] }).seats.users).toBe(0);
    });

    it('counts modeler server licenses as concurrent user seats', () => {
      const licenses = [license('server', { id: 'lic-1', quantity: 5 }), license('server', { id: 'lic-2', quantity: 3 })];

      expect(decide('modeler', { licenses }).seats.users).toBe(8);
    });

    it('counts the users of the trial against the first users pack', () => {
      const decision = decide('authserver', { licenses: [license('users', { quantity: 10 })], usage: { activeUsers: 12, reportedAt: isoInDays(-2) } });

      expect(decision).toMatchObject({ mode: 'full', reasons: [], seats: { users: 10, consumed: 12 } });
      expect(decision.warnings).toEqual([{ code: 'SEATS_EXCEEDED', detail: '12 users are active but 10 user seats are licensed' }]);
    });

    it.each<[string, ProductId, LicenseSnapshot[], number, Pick<LicenseModeDecision, 'mode' | 'reasons'>, boolean]>([
      ['warns authserver (warn) over its seats, in full mode', 'authserver', [license('users', { quantity: 10 })], 11, { mode: 'full', reasons: [] }, true],
      ['does not warn authserver at exactly its seats', 'authserver', [license('users', { quantity: 10 })], 10, { mode: 'full', reasons: [] }, false],
      ['warns vault (warn) over its seats, in full mode', 'vault', [premium(), license('users', { quantity: 5 })], 6, { mode: 'full', reasons: [] }, true],
      ['limits modeler (limit) over its concurrent users', 'modeler', [license('server', { quantity: 5 })], 6, { mode: 'limited', reasons: ['SEATS_EXCEEDED'] }, true],
      ['does not limit modeler at exactly its concurrent users', 'modeler', [license('server', { quantity: 5 })], 5, { mode: 'full', reasons: [] }, false],
      ['adds SEATS_EXCEEDED after the license reasons of modeler', 'modeler', [license('server', { quantity: 5, status: 'suspended' })], 1, { mode: 'limited', reasons: ['LICENSE_SUSPENDED', 'SEATS_EXCEEDED'] }, true],
      ['adds SEATS_EXCEEDED after NOT_ACTIVATED for modeler', 'modeler', [], 1, { mode: 'limited', reasons: ['NOT_ACTIVATED', 'SEATS_EXCEEDED'] }, true],
    ])('%s', (_case, id, licenses, activeUsers, expected, warned) => {
      const decision = decide(id, { licenses, usage: { activeUsers, reportedAt: isoInDays(0) } });

      expect(decision).toMatchObject({ ...expected, seats: { consumed: activeUsers } });
      expect(decision.warnings.map((warning) => warning.code)).toEqual(warned ? ['SEATS_EXCEEDED'] : []);
    });

    it('counts no consumed seats when usage was never reported', () => {
      expect(decide('modeler', { licenses: [license('server', { quantity: 5 })] }).seats.consumed).toBe(0);
    });
  });

  describe('vault support', () => {
    const users = (quantity: number): LicenseSnapshot => license('users', { id: 'lic-users', quantity });
    const support = (fields: Partial<LicenseSnapshot>): LicenseSnapshot => license('support', { id: 'lic-support', ...fields });

    it.each<[string, LicenseSnapshot[], LicenseModeDecision['support']]>([
      ['support seats equal to user seats and unexpired', [users(10), support({ quantity: 10, expiresAt: isoInDays(30) })], { seats: 10, until: secondsInDays(30), updatesEligible: true }],
      ['more support seats than user seats', [users(10), support({ quantity: 15, expiresAt: isoInDays(30) })], { seats: 15, until: secondsInDays(30), updatesEligible: true }],
      ['fewer support seats than user seats', [users(10), support({ quantity: 5, expiresAt: isoInDays(30) })], { seats: 5, until: secondsInDays(30), updatesEligible: false }],
      ['expired support', [users(10), support({ quantity: 10, expiresAt: isoInDays(-1) })], { seats: 0, updatesEligible: false }],
      ['support expiring exactly now', [users(10), support({ quantity: 10, expiresAt: isoInDays(0) })], { seats: 0, updatesEligible: false }],
      ['suspended support', [users(10), support({ quantity: 10, status: 'suspended' })], { seats: 0, updatesEligible: false }],
      ['no support', [users(10)], { seats: 0, updatesEligible: false }],
      ['support without expiry', [users(10), support({ quantity: 10 })], { seats: 10, updatesEligible: true }],
      ['support and no users pack', [support({ quantity: 1, expiresAt: isoInDays(30) })], { seats: 1, until: secondsInDays(30), updatesEligible: true }],
      ['two support licenses', [users(10), support({ id: 'lic-s1', quantity: 4, expiresAt: isoInDays(10) }), support({ id: 'lic-s2', quantity: 6, expiresAt: isoInDays(40) })], { seats: 10, until: secondsInDays(40), updatesEligible: true }],
      ['two support licenses, one without expiry', [users(10), support({ id: 'lic-s1', quantity: 4, expiresAt: isoInDays(10) }), support({ id: 'lic-s2', quantity: 6 })], { seats: 10, updatesEligible: true }],
      ['an unexpired and an expired support license', [users(10), support({ id: 'lic-s1', quantity: 10, expiresAt: isoInDays(10) }), support({ id: 'lic-s2', quantity: 10, expiresAt: isoInDays(-1) })], { seats: 10, until: secondsInDays(10), updatesEligible: true }],
    ])('decides updates for a premium vault with %s', (_case, licenses, expected) => {
      expect(decide('vault', { licenses: [premium(), ...licenses] }).support).toEqual(expected);
    });

    it.each<ProductId>(['authserver', 'modeler'])('leaves out support for %s, which has none', (id) => {
      const licenses = [license(id === 'authserver' ? 'users' : 'server', { quantity: 10 })];

      expect(decide(id, { licenses })).not.toHaveProperty('support');
    });
  });

  describe('editions', () => {
    it.each<[string, LicenseSnapshot[], string | undefined, string[]]>([
      ['one premium license', [premium()], 'premium', capabilities.vaultPremium],
      ['express and premium licenses', [license('edition', { id: 'lic-1', edition: 'express' }), premium({ id: 'lic-2' })], 'premium', capabilities.vaultPremium],
      ['professional and express licenses', [license('edition', { id: 'lic-1', edition: 'professional' }), license('edition', { id: 'lic-2', edition: 'express' })], 'professional', capabilities.vaultProfessional],
      ['a suspended premium and an active express license', [premium({ id: 'lic-1', status: 'suspended' }), license('edition', { id: 'lic-2', edition: 'express' })], 'express', capabilities.vaultExpress],
      ['an expired premium and an active professional license', [premium({ id: 'lic-1', expiresAt: isoInDays(-1) }), license('edition', { id: 'lic-2', edition: 'professional' })], 'professional', capabilities.vaultProfessional],
    ])('runs vault with %s as the highest usable edition', (_case, licenses, edition, features) => {
      const decision = decide('vault', { licenses });

      expect(decision).toMatchObject({ mode: 'full', features });
      expect(decision.edition).toBe(edition);
    });

    it('names no edition when the only edition license is revoked', () => {
      const decision = decide('vault', { licenses: [premium({ status: 'revoked' })] });

      expect(decision).toMatchObject({ mode: 'limited', reasons: ['LICENSE_REVOKED'], features: capabilities.vaultLimited });
      expect(decision).not.toHaveProperty('edition');
    });

    it.each<ProductId>(['authserver', 'modeler'])('names no edition for %s, which has none', (id) => {
      const licenses = [license(id === 'authserver' ? 'users' : 'server', { quantity: 10 })];

      expect(decide(id, { licenses })).not.toHaveProperty('edition');
    });
  });

  describe('add-ons', () => {
    it.each<[string, LicenseSnapshot[], string[]]>([
      ['an active site license', [license('site')], ['sites']],
      ['an active engine license', [license('engine')], ['distributed-engines']],
      ['both add-ons', [license('engine'), license('site')], ['sites', 'distributed-engines']],
      ['a suspended site license', [license('site', { status: 'suspended' })], []],
      ['a revoked engine license', [license('engine', { status: 'revoked' })], []],
      ['an expired site license', [license('site', { expiresAt: isoInDays(-1) })], []],
      ['a site license until tomorrow', [license('site', { expiresAt: isoInDays(1) })], ['sites']],
    ])('enables the add-on features of a premium vault with %s', (_case, addOns, features) => {
      expect(decide('vault', { licenses: [premium(), ...addOns] }).features).toEqual([...capabilities.vaultPremium, ...features]);
    });

    it('keeps usable add-on features in limited mode, which restricts capabilities only', () => {
      const decision = decide('vault', { licenses: [license('site')] });

      expect(decision).toMatchObject({ mode: 'limited', features: [...capabilities.vaultLimited, 'sites'] });
    });
  });

  describe('versions', () => {
    it.each<[string, ProductId, string, boolean]>([
      ['modeler below its minimum', 'modeler', '4.5.9', true],
      ['a modeler pre-release of its minimum', 'modeler', '4.6.0-rc.1', true],
      ['modeler with an unreadable version', 'modeler', 'unknown', true],
      ['modeler at its minimum', 'modeler', '4.6.0', false],
      ['modeler at its minimum, written short', 'modeler', '4.6', false],
      ['modeler above its minimum', 'modeler', '4.10.0', false],
      ['authserver, which has no minimum', 'authserver', '0.1.0', false],
    ])('warns %s (%s) with VERSION_UNSUPPORTED: %s', (_case, id, version, warned) => {
      const licenses = [license(id === 'modeler' ? 'server' : 'users', { quantity: 5 })];

      const decision = decide(id, { version, licenses });

      expect(decision.mode).toBe('full');
      expect(decision.warnings.map((warning) => warning.code)).toEqual(warned ? ['VERSION_UNSUPPORTED'] : []);
    });

    it('explains VERSION_UNSUPPORTED in limited mode too', () => {
      expect(decide('modeler', { version: '4.5.0' }).warnings).toEqual([
        { code: 'VERSION_UNSUPPORTED', detail: 'Process Modeler supports version 4.6.0 and later, and this installation reports 4.5.0: update it' },
      ]);
    });

    it('lists VERSION_UNSUPPORTED before SEATS_EXCEEDED', () => {
      const decision = decide('modeler', { version: '4.5.0', licenses: [license('server', { quantity: 1 })], usage: { activeUsers: 2, reportedAt: isoInDays(0) } });

      expect(decision.warnings.map((warning) => warning.code)).toEqual(['VERSION_UNSUPPORTED', 'SEATS_EXCEEDED']);
    });
  });

  describe('a detected clone', () => {
    const server = (quantity: number) => license('server', { quantity });
    it.each<[string, ProductId, LicenseSnapshot[], Pick<LicenseModeDecision, 'mode' | 'reasons'>]>([
      ['warns authserver, which warns about clones', 'authserver', [license('users', { quantity: 10 })], { mode: 'full', reasons: [] }],
      ['warns vault, which warns about clones', 'vault', [premium()], { mode: 'full', reasons: [] }],
      ['limits modeler, whose catalog entry says clones: limit', 'modeler', [server(10)], { mode: 'limited', reasons: ['CLONE_DETECTED'] }],
    ])('%s', (_case, id, licenses, expected) => {
      const decision = decide(id, { licenses, cloneDetected: true });
      expect(decision).toMatchObject(expected);
      expect(decision.warnings).toEqual([{ code: 'CLONE_DETECTED', detail: expect.stringContaining('each server needs its own installation') }]);
    });

    it('lists CLONE_DETECTED after the license and seat reasons and warnings, and says nothing once cleared', () => {
      const over = decide('modeler', { licenses: [server(1)], usage: { activeUsers: 2, reportedAt: now.toISOString() }, cloneDetected: true });
      expect(over.reasons).toEqual(['SEATS_EXCEEDED', 'CLONE_DETECTED']);
      expect(over.warnings.map((warning) => warning.code)).toEqual(['SEATS_EXCEEDED', 'CLONE_DETECTED']);
      expect(decide('modeler', { licenses: [server(1)], cloneDetected: false })).toMatchObject({ mode: 'full', warnings: [] });
    });
  });

  describe('changesAt', () => {
    it.each<[string, ProductId, Partial<InstallationSnapshot>, Date | undefined]>([
      ['the end of a running trial', 'vault', { trial: trialFor(12) }, inDays(12)],
      ['nothing once the trial has ended', 'vault', { trial: trialFor(-1) }, undefined],
      ['nothing without expiries', 'authserver', { licenses: [license('users')] }, undefined],
      ['the expiry of the base license', 'authserver', { licenses: [license('users', { expiresAt: isoInDays(20) })] }, inDays(20)],
      ['the earliest expiry of usable licenses', 'vault', { licenses: [premium({ expiresAt: isoInDays(20) }), license('users', { expiresAt: isoInDays(5) }), license('site', { expiresAt: isoInDays(9) })] }, inDays(5)],
      ['the end of support', 'vault', { licenses: [premium(), license('support', { expiresAt: isoInDays(3) })] }, inDays(3)],
      ['no past expiry', 'authserver', { licenses: [license('users', { id: 'lic-1', expiresAt: isoInDays(-3) }), license('users', { id: 'lic-2', expiresAt: isoInDays(7) })] }, inDays(7)],
      ['no expiry of a suspended license', 'authserver', { licenses: [license('users', { id: 'lic-1', status: 'suspended', expiresAt: isoInDays(2) }), license('users', { id: 'lic-2' })] }, undefined],
    ])('is %s', (_case, id, snapshot, changesAt) => {
      expect(decide(id, snapshot).changesAt).toEqual(changesAt);
    });

    it('changes the decision at changesAt', () => {
      const snapshot = { licenses: [license('users', { quantity: 10, expiresAt: isoInDays(20) })] };
      const changesAt = decide('authserver', snapshot).changesAt ?? now;

      expect(decide('authserver', snapshot, new Date(changesAt.getTime() - 1)).mode).toBe('full');
      expect(decide('authserver', snapshot, changesAt).mode).toBe('limited');
    });
  });

  describe('invariants', () => {
    const minutes = fc.integer({ min: -60 * 24 * 60, max: 60 * 24 * 60 });
    const isoInMinutes = (offset: number): string => new Date(now.getTime() + offset * 60_000).toISOString();

    const licenseFor = (subject: Product): fc.Arbitrary<LicenseSnapshot> =>
      fc.record(
        {
          id: fc.constantFrom('lic-1', 'lic-2', 'lic-3'),
          type: fc.constantFrom(...subject.licenseTypes),
          quantity: fc.integer({ min: 0, max: 100 }),
          edition: fc.constantFrom(...Object.keys(subject.editions ?? { none: {} })),
          status: fc.constantFrom('active', 'suspended', 'revoked'),
          expiresAt: minutes.map(isoInMinutes),
        },
        { requiredKeys: ['id', 'type', 'quantity', 'status'] },
      );

    const scenario = fc.constantFrom(...Object.values(referenceCatalog)).chain((subject) =>
      fc.record({
        subject: fc.constant(subject),
        installation: fc.record(
          {
            productId: fc.constant(subject.id),
            version: fc.constantFrom('4.5.0', '4.6.0', '4.10.0', 'garbage'),
            trial: minutes.map((offset) => ({ startedAt: isoInMinutes(offset - 1000), endsAt: isoInMinutes(offset) })),
            licenses: fc.array(licenseFor(subject), { maxLength: 6 }),
            usage: fc.record({ activeUsers: fc.integer({ min: 0, max: 200 }), reportedAt: fc.constant(isoInMinutes(0)) }),
          },
          { requiredKeys: ['productId', 'version', 'licenses'] },
        ),
      }),
    );

    test.prop([scenario])('is limited exactly when it has reasons, each listed once', ({ subject, installation }) => {
      const decision = decideLicenseMode(subject, installation, now);

      expect(decision.mode === 'limited').toBe(decision.reasons.length > 0);
      expect(new Set(decision.reasons).size).toBe(decision.reasons.length);
    });

    test.prop([scenario])('never enables a restricted capability, nor lists restrictions in full mode', ({ subject, installation }) => {
      const decision = decideLicenseMode(subject, installation, now);
      const restrictedByProduct = restrictedCapabilities(subject);

      expect(decision.features.filter((feature) => decision.restricted.includes(feature))).toEqual([]);
      expect(decision.restricted).toEqual(decision.mode === 'full' ? [] : restrictedByProduct);
      if (decision.mode === 'limited') expect(decision.features.filter((feature) => restrictedByProduct.includes(feature))).toEqual([]);
    });

    test.prop([scenario])('counts non-negative seats and changes only in the future', ({ subject, installation }) => {
      const decision = decideLicenseMode(subject, installation, now);

      expect(decision.seats.users).toBeGreaterThanOrEqual(0);
      expect(decision.seats.consumed).toBe(installation.usage?.activeUsers ?? 0);
      if (decision.changesAt) expect(decision.changesAt.getTime()).toBeGreaterThan(now.getTime());
      if (decision.support) expect(decision.support.updatesEligible).toBe(decision.support.seats > 0 && decision.support.seats >= decision.seats.users);
    });
  });
});
