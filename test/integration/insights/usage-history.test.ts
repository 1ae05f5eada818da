import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import { handleInsightsRecords } from '#lib/insights/insights-stream.js';
import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { startTableStream } from '#dev/table-stream.js';
import type { InstallationUsageDay, LicenseUsageDay } from '@license-activation/contract/schemas';
import { call, eventFor, newInstallation, send } from '../../support/api.js';
import { activateAt, at, dayMs, installationId } from '../../support/clocked.js';
import { heartbeatReporting, startInsightsStream } from '../../support/insights.js';
import { issueLicense, machine, registerCustomer } from '../../support/scenario.js';

// Usage history (API.md §11) kept by the stream consumer from heartbeats at instants the tests choose;
// licenses are issued at the real time, so every instant below lies after it.
const stream = await startInsightsStream();
const hour = 60 * 60 * 1000;
const dayOf = (date: Date) => date.toISOString().slice(0, 10);
/** Noon UTC, `days` days from today. */
const noon = (days: number) => new Date(Date.parse(`${dayOf(new Date())}T12:00:00Z`) + days * dayMs);

async function authserverLicense(quantity = 10) {
  const customer = await registerCustomer();
  const issued = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity, maxActivations: 5 });
  return { customer, ...issued };
}

const licenseUsage = (licenseId: string, query: Record<string, string> = {}) =>
  call<{ items: LicenseUsageDay[] }>('getLicenseUsage', { as: opsPrincipal, params: { licenseId }, query });
// The route takes an installation's proof or an API key, which the handler checks itself: the ops key here.
const installationUsage = (installationId: string, query: Record<string, string> = {}) =>
  call<{ items: InstallationUsageDay[] }>('getInstallationUsage', { headers: { Authorization: `Bearer ${process.env.OPS_API_KEY}` }, params: { installationId }, query });

describe('usage history', () => {
  it("keeps each installation's largest report of the day, and sums them per license, whatever their order", async () => {
    const { key, license } = await authserverLicense();
    const [first, second] = [installationId(), installationId()];
    const day = noon(1);
    await activateAt(day, first, { key, productId: 'authserver' });
    await activateAt(at(day, 1000), second, { key, productId: 'authserver' });
    for (const [offset, id, users] of [[1, first, 3], [2, second, 4], [3, first, 7], [4, second, 2], [5, first, 5]] as const) {
      await heartbeatReporting(at(day, offset * hour), id, users);
    }
    await stream.settled();

    const range = { from: dayOf(day), to: dayOf(day) };
    expect((await licenseUsage(license.id, range)).body.items).toEqual([{ date: dayOf(day), installationsSeen: 2, activeUsersPeak: 11, seatsLicensed: 10 }]);
    expect((await installationUsage(first, range)).body.items).toEqual([{ date: dayOf(day), heartbeats: 3, activeUsersPeak: 7, seatsLicensed: 10 }]);
    expect((await installationUsage(second, range)).body.items).toEqual([{ date: dayOf(day), heartbeats: 2, activeUsersPeak: 4, seatsLicensed: 10 }]);
  });

  it('answers every day of the range, with zeros where nothing was seen, and the seats the license granted each day', async () => {
    const { key, license } = await authserverLicense(8);
    const id = installationId();
    await activateAt(noon(2), id, { key, productId: 'authserver' });
    await heartbeatReporting(at(noon(2), hour), id, 6);
    await heartbeatReporting(noon(4), id, 3);
    await stream.settled();

    const { body } = await licenseUsage(license.id, { from: dayOf(noon(-1)), to: dayOf(noon(5)) });
    expect(body.items).toEqual([
      { date: dayOf(noon(-1)), installationsSeen: 0, activeUsersPeak: 0, seatsLicensed: 0 },
      { date: dayOf(noon(0)), installationsSeen: 0, activeUsersPeak: 0, seatsLicensed: 8 },
      { date: dayOf(noon(1)), installationsSeen: 0, activeUsersPeak: 0, seatsLicensed: 8 },
      { date: dayOf(noon(2)), installationsSeen: 1, activeUsersPeak: 6, seatsLicensed: 8 },
      { date: dayOf(noon(3)), installationsSeen: 0, activeUsersPeak: 0, seatsLicensed: 8 },
      { date: dayOf(noon(4)), installationsSeen: 1, activeUsersPeak: 3, seatsLicensed: 8 },
      { date: dayOf(noon(5)), installationsSeen: 0, activeUsersPeak: 0, seatsLicensed: 8 },
    ]);
    const installation = await installationUsage(id, { from: dayOf(noon(1)), to: dayOf(noon(3)) });
    expect(installation.body.items).toEqual([
      { date: dayOf(noon(1)), heartbeats: 0, activeUsersPeak: 0, seatsLicensed: 0 },
      { date: dayOf(noon(2)), heartbeats: 1, activeUsersPeak: 6, seatsLicensed: 8 },
      // Not seen: no heartbeat, and the seats of the token it still holds.
      { date: dayOf(noon(3)), heartbeats: 0, activeUsersPeak: 0, seatsLicensed: 8 },
    ]);
  });

  it('shows a heartbeat within 60 seconds of its commit', async () => {
    const { key, license } = await authserverLicense();
    const installation = await newInstallation();
    expect((await call('activate', { installation, body: { key, productId: 'authserver', ...machine() } })).status).toBe(201);
    const sent = Date.now();
    expect((await call('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 9 } } })).status).toBe(200);
    const today = { from: dayOf(new Date()), to: dayOf(new Date()) };
    // No settled(): the consumer runs as under npm start, and the history is read until it shows.
    await expect.poll(async () => (await licenseUsage(license.id, today)).body.items[0]?.activeUsersPeak, { timeout: 60_000, interval: 100 }).toBe(9);
    expect(Date.now() - sent).toBeLessThan(60_000);
    // The installation reads its own history with its proof.
    const own = await call<{ items: InstallationUsageDay[] }>('getInstallationUsage', { installation, params: { installationId: installation.id }, query: today });
    expect(own.body.items).toEqual([{ date: today.from, heartbeats: 1, activeUsersPeak: 9, seatsLicensed: 10 }]);
  });

  it('counts a stream record delivered twice once', async () => {
    const { key, license } = await authserverLicense();
    const id = installationId();
    // A consumer of its own records the batches it is given, which are then delivered again by hand.
    const batches: DynamoDBStreamEvent[] = [];
    const recorder = await startTableStream({ table: table(), consumers: [{ name: 'recorder', handle: async (event) => void batches.push(event) }], idleDelayMs: 100 });
    await activateAt(noon(6), id, { key, productId: 'authserver' });
    await heartbeatReporting(at(noon(6), hour), id, 4);
    await heartbeatReporting(at(noon(6), 2 * hour), id, 2);
    await Promise.all([stream.settled(), recorder.settled()]);
    await recorder.stop();
    const range = { from: dayOf(noon(6)), to: dayOf(noon(6)) };
    const once = { license: (await licenseUsage(license.id, range)).body, installation: (await installationUsage(id, range)).body };
    expect(once.installation.items).toEqual([{ date: range.from, heartbeats: 2, activeUsersPeak: 4, seatsLicensed: 10 }]);

    for (const batch of batches) await handleInsightsRecords({ table: table(), catalog: catalog() }, batch);
    expect({ license: (await licenseUsage(license.id, range)).body, installation: (await installationUsage(id, range)).body }).toEqual(once);
  });

  it('gives a suspended license no seats from the day after its suspension until its reinstatement', async () => {
    const { license } = await authserverLicense(6);
    expect((await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } })).status).toBe(200);
    await stream.settled();
    const { body } = await licenseUsage(license.id, { from: dayOf(noon(-1)), to: dayOf(noon(1)) });
    expect(body.items.map((day) => day.seatsLicensed)).toEqual([0, 6, 0]);
  });

  it.each([
    [{}, 90, dayOf(noon(-89)), dayOf(noon(0))],
    [{ from: dayOf(noon(-9)) }, 10, dayOf(noon(-9)), dayOf(noon(0))],
    [{ to: '2026-03-31' }, 90, '2026-01-01', '2026-03-31'],
    [{ from: '2024-01-01', to: '2024-12-31' }, 366, '2024-01-01', '2024-12-31'],
  ])('answers the range %j: %i days', async (query, days, first, last) => {
    const { license } = await authserverLicense();
    const { status, body } = await licenseUsage(license.id, query);
    expect(status).toBe(200);
    expect(body.items).toHaveLength(days);
    expect([body.items[0]?.date, body.items.at(-1)?.date]).toEqual([first, last]);
  });

  it.each([
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '2026-1-01' }, 'from'],
    [{ to: 'yesterday' }, 'to'],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'to'],
    [{ from: '2024-01-01', to: '2025-01-01' }, 'to'],
    [{ from: dayOf(noon(1)) }, 'from'],
    [{ since: '2026-01-01' }, 'since'],
  ])('refuses %j with 400 VALIDATION_FAILED naming %s', async (query, path) => {
    const { license } = await authserverLicense();
    const answer = await call<{ code: string; errors: { path: string }[] }>('getLicenseUsage', { as: opsPrincipal, params: { licenseId: license.id }, query });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors.map((error) => error.path)).toEqual([path]);
  });

  it('spends the proof of an installation reading its own history like any of its proofs: once, several at once, within its 20 a window', async () => {
    const { key } = await authserverLicense();
    const installation = await newInstallation();
    expect((await call('activate', { installation, body: { key, productId: 'authserver', ...machine() } })).status).toBe(201);
    const own = { installation, params: { installationId: installation.id } };
    const event = await eventFor('getInstallationUsage', own);
    expect((await send(event)).status).toBe(200);
    expect(await send(event)).toMatchObject({ status: 401, body: { code: 'PROOF_REPLAYED' } });
    // Reads at once write the same item: each is spent, those that lost a race on a fresh read.
    expect((await Promise.all(Array.from({ length: 5 }, () => call('getInstallationUsage', own)))).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    // The activation's proof and 6 reads so far: 13 more fill the window, shared with every route.
    for (let read = 0; read < 13; read += 1) expect((await call('getInstallationUsage', own)).status).toBe(200);
    expect(await call('getInstallationUsage', own)).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    const heartbeat = await call('heartbeat', { ...own, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
    expect(heartbeat).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
  });

  it("answers 404 for a license or installation the caller may not see", async () => {
    const { license } = await authserverLicense();
    const stranger = await registerCustomer();
    expect((await call('getLicenseUsage', { as: stranger.principal, params: { licenseId: license.id } })).status).toBe(404);
    expect((await call('getLicenseUsage', { as: opsPrincipal, params: { licenseId: 'lic_nothing' } })).status).toBe(404);
    expect((await call('getInstallationUsage', { headers: { Authorization: `Bearer ${stranger.apiKey}` }, params: { installationId: installationId() } })).status).toBe(404);
  });
});
