import { describe, expect, it } from 'vitest';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { InstallationRecord } from '#lib/data/installations.js';
import { isUtcDate } from '@license-activation/contract/insights-requests';
import { addDays, isoWeekOf, mondayOf } from '#lib/insights/calendar.js';
import { installationContribution, licenseContribution } from '#lib/insights/sources.js';
import { keys } from '#lib/data/keys.js';
import { sourceItemOf } from '#lib/insights/source-items.js';

/** A token as this service signs it, but unsigned: the consumer reads only its claims. */
const tokenWith = (claims: Record<string, unknown>) =>
  ['{"alg":"ES256"}', JSON.stringify(claims), 'signature'].map((part) => Buffer.from(part).toString('base64url')).join('.');

const installation: InstallationRecord = {
  id: 'inst-1',
  productId: 'authserver',
  customerId: 'acc_c1',
  hostname: 'srv',
  version: '5.0.0',
  virtual: false,
  fingerprintHash: 'hash',
  createdAt: '2026-03-01T10:00:00.000Z',
  lastSeenAt: '2026-03-04T10:00:00.000Z',
  usage: { activeUsers: 7, reportedAt: '2026-03-04T10:00:00.000Z' },
  licenses: {
    lic_1: { licenseId: 'lic_1', activationId: 'act_1', activatedAt: '2026-03-01T10:00:00.000Z', type: 'users', quantity: 5, status: 'active' },
  },
  recentToken: { token: tokenWith({ mode: 'full', seats: { users: 5, consumed: 7 }, licenses: [{ id: 'lic_1' }] }), rev: 3 },
  rev: 3,
};

describe('installationContribution', () => {
  it('counts the installation, the day it was last seen with its latest report, its lease, and its excess over the seats its token granted', () => {
    expect(installationContribution(referenceCatalog, installation)).toEqual({
      customerId: 'acc_c1',
      counters: { 'installations:authserver': 1, 'seen.n@2026-03-04': 1, 'seen.users@2026-03-04': 7, 'lapse.n@2026-05-03': 1 },
      overSeats: { installationId: 'inst-1', customerId: 'acc_c1', licenseIds: ['lic_1'], seatsLicensed: 5, activeUsers: 7 },
      rev: 3,
    });
  });

  it("counts a detected clone (its chain's cloneDetectedAt, as clone detection keeps it in the item) and its newest token's CLONE_DETECTED reason", () => {
    const chain = { head: 'head-2', issuedAt: '2026-03-04T09:00:00.000Z', replaced: ['head-1'], forks: 2 };
    const cloned = {
      ...installation,
      chain: { ...chain, cloneDetectedAt: '2026-03-04T09:00:00.000Z' },
      recentToken: { token: tokenWith({ mode: 'limited', limited: { reasons: ['CLONE_DETECTED'], restricted: [] }, seats: { users: 5, consumed: 7 }, licenses: [{ id: 'lic_1' }] }), rev: 4 },
    };
    const source = sourceItemOf({ pk: 'INSTALLATION#inst-1', sk: 'INSTALLATION', ...cloned });
    if (source?.kind !== 'installation') throw new TypeError('an installation item');
    expect(installationContribution(referenceCatalog, source.installation).counters).toMatchObject({ clones: 1, 'limited:CLONE_DETECTED': 1 });
    // Forks alone (owners' restores) and a cleared detection are no clone.
    expect(installationContribution(referenceCatalog, { ...installation, chain }).counters).not.toHaveProperty('clones');
  });

  it("decides a license file's installation (no online token kept) as it was when it last changed", () => {
    const offline = { ...installation, recentToken: undefined, usage: undefined, licenses: { lic_1: { ...installation.licenses.lic_1!, status: 'suspended' as const } } };
    expect(installationContribution(referenceCatalog, offline).counters).toMatchObject({ 'limited:LICENSE_SUSPENDED': 1 });
  });

  it('counts a trial by its start, its end while it runs, and its conversion', () => {
    const trial = { ...installation, customerId: undefined, licenses: {}, trial: { startedAt: '2026-03-01T10:00:00.000Z', endsAt: '2026-05-30T10:00:00.000Z' } };
    expect(installationContribution(referenceCatalog, trial).counters).toMatchObject({ trialsRunning: 1, 'trialStart.n@2026-03-01': 1, 'trialEnd.n@2026-05-30': 1 });
    const converted = { ...installation, trialEndedAt: '2026-03-03T08:00:00.000Z' };
    expect(installationContribution(referenceCatalog, converted).counters).toMatchObject({ 'trialStart.n@2026-03-01': 1, 'trialConversion.n@2026-03-03': 1 });
    expect(installationContribution(referenceCatalog, converted).counters).not.toHaveProperty('trialsRunning');
  });
});

describe('licenseContribution', () => {
  const license = { id: 'lic_1', customerId: 'acc_c1', productId: 'modeler', type: 'server' as const, quantity: 3, status: 'active' as const, keyPrefix: 'ABCDE', issuedBy: 'ops', createdAt: '2026-01-01T00:00:00.000Z', maxActivations: 1, activations: 0 };

  it.each([
    ['an active license without end', license, { 'licenses:active:modeler': 1, 'seats:modeler': 3 }],
    ['an active license by its expiry day', { ...license, expiresAt: '2026-06-30T23:00:00.000Z' }, { 'licenses:active:modeler': 1, 'seats:modeler': 3, 'expiry.licenses:modeler@2026-06-30': 1, 'expiry.seats:modeler@2026-06-30': 3 }],
    ['a suspended license, without seats', { ...license, status: 'suspended' as const, expiresAt: '2026-06-30T23:00:00.000Z' }, { 'licenses:suspended:modeler': 1 }],
    ['an edition license, without seats', { ...license, productId: 'vault', type: 'edition' as const }, { 'licenses:active:vault': 1 }],
  ])('counts %s', (_, record, counters) => {
    expect(licenseContribution(record)).toEqual({ customerId: 'acc_c1', counters });
  });
});

describe('sourceItemOf', () => {
  const at = '2026-03-04T10:00:00.000Z';
  const person = { kind: 'person', id: 'sub-1', name: 'it@customer.example' } as const;
  /** An event as its license's feed keeps it (lib/data/events.ts), its actor as integrate names actors. */
  const inLicenseFeed = (type: string, extra: Record<string, unknown> = {}) => ({
    pk: keys.eventFeed.license('lic_1'),
    sk: keys.event('evt_1'),
    entity: 'event',
    id: 'evt_1',
    type,
    createdAt: at,
    actor: person,
    customerId: 'acc_c1',
    licenseId: 'lic_1',
    ...extra,
  });

  it("counts an activation whoever made it (a person through a membership here), and the status a license's event leaves", () => {
    expect(sourceItemOf(inLicenseFeed('activation.created', { installationId: 'inst-1' }))).toMatchObject({ kind: 'activation', event: { id: 'evt_1', customerId: 'acc_c1', actor: person } });
    expect(sourceItemOf(inLicenseFeed('license.suspended'))).toEqual({ kind: 'status-change', eventId: 'evt_1', licenseId: 'lic_1', change: { at, status: 'suspended' } });
  });

  it.each([
    'activation.released',
    'activation.expired',
    'authorization.approved',
    'installation.forked',
    'installation.clone_detected',
    'installation.clone_cleared',
    'member.added',
    'member.accepted',
    'api_key.created',
  ])('ignores %s in a license feed', (type) => {
    expect(sourceItemOf(inLicenseFeed(type))).toBeUndefined();
  });

  const member = { entity: 'member', id: 'mem_1', accountId: 'acc_c1', accountKind: 'customer', email: 'it@customer.example', role: 'member', createdAt: at };
  it.each([
    ['an invitation under its account', { ...keys.member('acc_c1', 'mem_1'), ...member, status: 'invited' }],
    ['an invitation under its email', { ...keys.membershipOfEmail('it@customer.example', 'acc_c1'), ...member, status: 'invited' }],
    ['an accepted membership under its account', { ...keys.member('acc_c1', 'mem_1'), ...member, status: 'active', personId: 'sub-1' }],
    ['an accepted membership under its person', { ...keys.membershipOfPerson('sub-1', 'acc_c1'), ...member, status: 'active', personId: 'sub-1' }],
    ["an email's pending invitations", { ...keys.invitationsOfEmail('it@customer.example'), pending: 1 }],
    ["an account's owners", { ...keys.owners('acc_c1'), count: 1 }],
    ["an account's API key", { ...keys.accountApiKey('acc_c1', 'key_1'), id: 'key_1' }],
    ["an account's API key count", { ...keys.apiKeyCount('acc_c1'), count: 1 }],
    ["an account's event", { pk: keys.eventFeed.account('acc_c1'), sk: keys.event('evt_2'), type: 'api_key.revoked', actor: person }],
    ["an installation's proof ledger", { ...keys.proofLedger('inst-1'), recentProofs: {}, rev: 0 }],
    ["an installation's failed key activations", { ...keys.keyFailures('inst-1') }],
  ])('ignores %s', (_, item) => {
    expect(sourceItemOf(item)).toBeUndefined();
  });

  it('reads an association from its item, whichever way it was made', () => {
    expect(sourceItemOf({ ...keys.association('acc_r1', 'acc_c1'), resellerId: 'acc_r1', customerId: 'acc_c1', createdAt: at })).toEqual({ kind: 'association', resellerId: 'acc_r1', customerId: 'acc_c1' });
  });
});

describe('calendar', () => {
  it.each([
    ['2026-01-01', '2026-W01'],
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'],
    ['2026-12-01', '2026-W49'],
  ])('puts %s in ISO week %s', (day, week) => {
    expect(isoWeekOf(day)).toBe(week);
  });

  it('finds Mondays and adds days across months and years', () => {
    expect(mondayOf('2026-03-08')).toBe('2026-03-02');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect([isUtcDate('2024-02-29'), isUtcDate('2026-02-29'), isUtcDate('2026-13-01')]).toEqual([true, false, false]);
  });
});
