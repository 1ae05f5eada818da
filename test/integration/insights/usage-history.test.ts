import { describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { InstallationUsageDay, LicenseUsageDay } from '@license-activation/contract/schemas';
import { call } from '../../support/api.js';
import { activateAt, at, dayMs, installationId } from '../../support/clocked.js';
import { heartbeatReporting, startInsightsStream } from '../../support/insights.js';
import { issueLicense, registerCustomer } from '../../support/scenario.js';

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
});
