import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import { isoWeekOf } from '#lib/insights/calendar.js';
import type { Insights } from '@license-activation/contract/schemas';
import { call } from '../../support/api.js';
import { getInstallation } from '#lib/data/installations.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { table } from '#lib/platform/dynamodb.js';
import { activateAt, at, claimsOf, dayMs, heartbeatAt, installationId, releaseAt } from '../../support/clocked.js';
import { heartbeatReporting, startInsightsStream, tickAt, trialAt } from '../../support/insights.js';
import { createCustomerOf, createReseller, issueLicense, registerCustomer } from '../../support/scenario.js';
import type { TestAccount } from '../../support/scenario.js';

// Every field of API.md §11's insights, against a world built by hand at instants the test chooses
// (licenses are issued at the real time; the world is played 40 days later, so every instant lies after).
// R1 manages C1 (which it created) and C2 (associated by ops); R2 manages C3.
const stream = await startInsightsStream();
const hour = 60 * 60 * 1000;
const T = new Date(Date.parse(`${new Date(Date.now() + 40 * dayMs).toISOString().slice(0, 10)}T12:00:00Z`));
const D = (days: number) => at(T, days * dayMs);

let r1: TestAccount, r2: TestAccount, c1: TestAccount, c2: TestAccount, c3: TestAccount;
const ids = { i1: installationId(), i2: installationId(), i3: installationId(), i4: installationId(), i5: installationId(), tr1: installationId(), tr2: installationId(), tr3: installationId() };

async function insightsAs(principal: AccountPrincipal, customerId?: string) {
  return call<{ insights: Insights }>('getInsights', { as: principal, ...(customerId ? { query: { customerId } } : {}) });
}

/** The weeks `weekly` shows at T, with these activations and trials by day. */
function weeksWith(counts: { activations: Date[]; trialsStarted?: Date[]; trialsConverted?: Date[] }) {
  const monday = Date.parse(`${T.toISOString().slice(0, 10)}T00:00:00Z`) - ((T.getUTCDay() + 6) % 7) * dayMs;
  return Array.from({ length: 12 }, (_, index) => {
    const from = monday - (11 - index) * 7 * dayMs;
    const within = (dates: Date[] = []) => dates.filter((date) => date.getTime() >= from && date.getTime() < from + 7 * dayMs).length;
    return {
      week: isoWeekOf(new Date(from).toISOString().slice(0, 10)),
      activations: within(counts.activations),
      trialsStarted: within(counts.trialsStarted),
      trialsConverted: within(counts.trialsConverted),
    };
  });
}

beforeAll(async () => {
  r1 = await createReseller();
  r2 = await createReseller();
  c1 = await createCustomerOf(r1);
  c2 = await registerCustomer();
  c3 = await createCustomerOf(r2);
  expect((await call('addAssociation', { as: opsPrincipal, body: { resellerId: r1.account.id, customerId: c2.account.id } })).status).toBe(201);
  const l1 = await issueLicense(opsPrincipal, { customerId: c1.account.id, quantity: 10, maxActivations: 5 });
  const l2 = await issueLicense(opsPrincipal, { customerId: c1.account.id, productId: 'modeler', type: 'server', quantity: 2, expiresAt: D(10).toISOString() });
  const l3 = await issueLicense(opsPrincipal, { customerId: c2.account.id, quantity: 5, expiresAt: new Date(Date.now() + hour).toISOString() });
  const l4 = await issueLicense(opsPrincipal, { customerId: c2.account.id, quantity: 7 });
  const l5 = await issueLicense(opsPrincipal, { customerId: c3.account.id, quantity: 4 });
  const authserver = { productId: 'authserver' };

  // C2's I4 activates while L3 is still valid; at T its license has expired and it reports 3 users on 0 seats.
  await activateAt(new Date(Date.now() + 60_000), ids.i4, { key: l3.key, ...authserver });
  // TR2: a trial converted 35 days before T; TR3: 5 days before; TR1: still on trial, over its 25 seats.
  await trialAt(D(-40), ids.tr2);
  await activateAt(D(-35), ids.tr2, { key: l1.key, ...authserver });
  await activateAt(D(-21), ids.i2, { key: l1.key, ...authserver });
  await heartbeatReporting(D(-20), ids.i2, 3);
  // I3 (modeler, 2 seats, 14-day lease): 3 users limit it, and unseen for 20 days its lease has lapsed.
  await activateAt(D(-21), ids.i3, { key: l2.key });
  await heartbeatReporting(D(-20), ids.i3, 3);
  await trialAt(D(-10), ids.tr3);
  await activateAt(D(-5), ids.tr3, { key: l1.key, ...authserver });
  await trialAt(D(-3), ids.tr1);
  await heartbeatReporting(at(T, -hour), ids.tr1, 30);
  await activateAt(D(-2), ids.i5, { key: l5.key, ...authserver });
  await activateAt(D(-1), ids.i1, { key: l1.key, ...authserver });
  await heartbeatReporting(T, ids.i1, 12);
  await heartbeatReporting(T, ids.i4, 3);
  expect((await call('revokeLicense', { as: opsPrincipal, params: { licenseId: l5.license.id } })).status).toBe(200);
  expect((await call('suspendLicense', { as: opsPrincipal, params: { licenseId: l4.license.id } })).status).toBe(200);
  await heartbeatReporting(T, ids.i5, 1);
  await tickAt(at(T, 60_000));
  await stream.settled();
});

const weeklyOfC1 = () => weeksWith({ activations: [D(-35), D(-21), D(-21), D(-5), D(-1)] });
const overSeat = (id: string, customer: TestAccount | undefined, seatsLicensed: number, activeUsers: number) => ({
  installationId: id,
  ...(customer ? { customerId: customer.account.id } : {}),
  licenseIds: expect.any(Array),
  seatsLicensed,
  activeUsers,
});
/** Ties in excess come in the order of their installations' ids. */
const byId = <T extends { installationId: string }>(...entries: T[]) => entries.sort((a, b) => a.installationId.localeCompare(b.installationId));

describe('insights', () => {
  it("answers ops the vendor's figures, trials included", async () => {
    const { status, body } = await insightsAs(opsPrincipal);
    expect(status).toBe(200);
    expect(body.insights).toEqual({
      asOf: at(T, 60_000).toISOString(),
      licenses: { active: 2, suspended: 1, revoked: 1, expired: 1, expiringWithin30Days: 1 },
      installations: {
        total: 8,
        seenWithin7Days: 5,
        seenWithin30Days: 7,
        lapsed: 1,
        limited: { SEATS_EXCEEDED: 1, LICENSE_EXPIRED: 1, LICENSE_REVOKED: 1 },
        clonesDetected: 0,
      },
      trials: { active: 1, startedWithin30Days: 2, convertedWithin30Days: 1 },
      seats: { licensed: 12, used: 12 + 3 + 3 + 3 + 1 + 30 },
      overSeats: [overSeat(ids.tr1, undefined, 25, 30), overSeat(ids.i4, c2, 0, 3), overSeat(ids.i1, c1, 10, 12), ...byId(overSeat(ids.i3, c1, 2, 3), overSeat(ids.i5, c3, 0, 1))],
      weekly: weeksWith({
        activations: [new Date(), D(-35), D(-21), D(-21), D(-5), D(-2), D(-1)],
        trialsStarted: [D(-40), D(-10), D(-3)],
        trialsConverted: [D(-35), D(-5)],
      }),
      byProduct: [
        { productId: 'authserver', licenses: 1, installations: 7, seats: 10 },
        { productId: 'vault', licenses: 0, installations: 0, seats: 0 },
        { productId: 'modeler', licenses: 1, installations: 1, seats: 2 },
      ],
    });
    expect(body.insights.overSeats.find((entry) => entry.installationId === ids.i1)?.licenseIds).toHaveLength(1);
  });

  it("answers a customer its own figures, without trials", async () => {
    const { body } = await insightsAs(c1.principal);
    expect(body.insights).toEqual({
      asOf: at(T, 60_000).toISOString(),
      licenses: { active: 2, suspended: 0, revoked: 0, expired: 0, expiringWithin30Days: 1 },
      installations: { total: 5, seenWithin7Days: 2, seenWithin30Days: 4, lapsed: 1, limited: { SEATS_EXCEEDED: 1 }, clonesDetected: 0 },
      seats: { licensed: 12, used: 12 + 3 + 3 },
      overSeats: [overSeat(ids.i1, c1, 10, 12), overSeat(ids.i3, c1, 2, 3)],
      weekly: weeklyOfC1(),
      byProduct: [
        { productId: 'authserver', licenses: 1, installations: 4, seats: 10 },
        { productId: 'vault', licenses: 0, installations: 0, seats: 0 },
        { productId: 'modeler', licenses: 1, installations: 1, seats: 2 },
      ],
    });
  });

  it("answers a reseller its associated customers' figures, and one of them when narrowed", async () => {
    const { body } = await insightsAs(r1.principal);
    expect(body.insights).toMatchObject({
      licenses: { active: 2, suspended: 1, revoked: 0, expired: 1, expiringWithin30Days: 1 },
      installations: { total: 6, seenWithin7Days: 3, seenWithin30Days: 5, lapsed: 1, limited: { SEATS_EXCEEDED: 1, LICENSE_EXPIRED: 1 }, clonesDetected: 0 },
      seats: { licensed: 12, used: 12 + 3 + 3 + 3 },
      overSeats: [overSeat(ids.i4, c2, 0, 3), overSeat(ids.i1, c1, 10, 12), overSeat(ids.i3, c1, 2, 3)],
    });
    expect(body.insights).not.toHaveProperty('trials');
    const narrowed = await insightsAs(r1.principal, c1.account.id);
    expect(narrowed.body).toEqual((await insightsAs(c1.principal)).body);
    expect((await insightsAs(opsPrincipal, c1.account.id)).body).toEqual(narrowed.body);
  });

  it('answers 404 for a customer the caller may not see', async () => {
    expect((await insightsAs(r1.principal, c3.account.id)).status).toBe(404);
    expect((await insightsAs(r2.principal, c1.account.id)).status).toBe(404);
    expect((await insightsAs(c1.principal, c2.account.id)).status).toBe(404);
    expect((await insightsAs(opsPrincipal, r1.account.id)).status).toBe(404);
    expect((await insightsAs(r2.principal)).body.insights).toMatchObject({ licenses: { revoked: 1, active: 0 }, installations: { total: 1, limited: { LICENSE_REVOKED: 1 } } });
  });

  it('moves the windows as days pass with no write', async () => {
    await tickAt(D(11));
    await stream.settled();
    const { body } = await insightsAs(c1.principal);
    // L2 expired the day before; I1 and TR3 were last seen 11 and 16 days ago; I2 and I3 31 days ago.
    expect(body.insights).toMatchObject({
      asOf: D(11).toISOString(),
      licenses: { active: 1, expired: 1, expiringWithin30Days: 0 },
      installations: { total: 5, seenWithin7Days: 0, seenWithin30Days: 2, lapsed: 1 },
      seats: { licensed: 10, used: 12 },
    });
  });

  it("takes a customer's figures out of a reseller's when their association ends, its over-seats entries included", async () => {
    expect((await call('removeAssociation', { as: opsPrincipal, params: { resellerId: r1.account.id, customerId: c2.account.id } })).status).toBe(204);
    await stream.settled();
    const reseller = (await insightsAs(r1.principal)).body.insights;
    expect(reseller).toEqual((await insightsAs(c1.principal)).body.insights);
    expect(reseller.overSeats.map((entry) => entry.installationId)).toEqual([ids.i1, ids.i3]);
    expect((await insightsAs(r1.principal, c2.account.id)).status).toBe(404);
  });

  it("counts installations by their newest token's mode: a release or a suspension since does not change it", async () => {
    const customer = await registerCustomer();
    const scope = async () => (await insightsAs(customer.principal)).body.insights.installations;
    const released = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 2 });
    const suspended = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 2 });
    const [first, second] = [installationId(), installationId()];
    await activateAt(D(20), first, { key: released.key });
    await activateAt(D(20), second, { key: suspended.key });
    await releaseAt(at(D(20), 60_000), first, released.license.id, customer.principal);
    expect((await call('suspendLicense', { as: opsPrincipal, params: { licenseId: suspended.license.id } })).status).toBe(200);
    await stream.settled();
    expect(await scope()).toMatchObject({ total: 2 });
    expect((await scope()).limited).toEqual({});
    // The next token of each says what it decides now.
    await heartbeatAt(at(D(20), 120_000), first);
    await heartbeatAt(at(D(20), 120_000), second);
    await stream.settled();
    expect((await scope()).limited).toEqual({ NOT_ACTIVATED: 1, LICENSE_SUSPENDED: 1, SEATS_EXCEEDED: 2 });
  });

  it('counts a clone detected by two copies heartbeating, and no longer once it is cleared; CLONE_DETECTED limits where the catalog says so', async () => {
    const customer = await registerCustomer();
    const scope = async () => (await insightsAs(customer.principal)).body.insights.installations;
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 2 });
    const id = installationId();
    // Modeler's catalog entry says `clones: limit`. Both copies hold the activation's token; the original steps first.
    const activated = await activateAt(D(12), id, { key });
    const present = (now: Date, token: string) => heartbeatAt(now, id, installationDeps(), { chain: claimsOf(token).chain ?? '', idempotencyKey: randomUUID() });
    const original = await present(at(D(12), 1000), activated.token);
    await present(at(D(12), 61_000), activated.token);
    await present(at(D(12), 62_000), original.token);
    expect((await getInstallation(table(), id))?.chain?.cloneDetectedAt).toBeDefined();
    await stream.settled();
    expect(await scope()).toMatchObject({ total: 1, limited: { CLONE_DETECTED: 1 }, clonesDetected: 1 });

    expect((await call('clearClone', { as: opsPrincipal, params: { installationId: id } })).status).toBe(200);
    await stream.settled();
    expect((await scope()).clonesDetected).toBe(0);
    // Its newest token still says CLONE_DETECTED until the next one, which no longer does.
    await heartbeatAt(at(D(12), 120_000), id);
    await stream.settled();
    expect(await scope()).toEqual(expect.objectContaining({ total: 1, limited: {}, clonesDetected: 0 }));
  });
});
