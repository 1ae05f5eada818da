import { describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { giveExpiryNotices } from '#lib/licenses/expiry-notices.js';
import { table } from '#lib/platform/dynamodb.js';
import { asFunction } from '#dev/table-permissions.js';
import { call } from '../support/api.js';
import { issueLicense, registerCustomer } from '../support/scenario.js';

// license.expiring (30 and 7 days) and license.expired from the hourly job, at instants the test chooses.

const day = 24 * 60 * 60 * 1000;
const job = (now: Date) => asFunction('webhook-dispatcher', () => giveExpiryNotices({ table: table() }, now));

async function noticesOf(licenseId: string, customerId: string) {
  const feed = async (route: 'listLicenseEvents' | 'listCustomerEvents', params: Record<string, string>) =>
    (await call<{ items: AuditEvent[] }>(route, { as: opsPrincipal, params })).body.items.filter((event) => event.type.startsWith('license.expir')).reverse();
  const [byLicense, byCustomer] = await Promise.all([feed('listLicenseEvents', { licenseId }), feed('listCustomerEvents', { customerId })]);
  expect(byCustomer.filter((event) => event.licenseId === licenseId).map((event) => event.id)).toEqual(byLicense.map((event) => event.id));
  return byLicense.map((event) => ({ type: event.type, data: event.data, actor: event.actor }));
}

describe('license expiry notices', () => {
  it('gives license.expiring at 30 days, again at 7, license.expired once passed, each once however often the job runs', async () => {
    const customer = await registerCustomer();
    const expiresAt = new Date(Date.now() + 40 * day).toISOString();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id, expiresAt });
    const end = Date.parse(expiresAt);
    for (const offset of [-35, -30, -29, -7 + 1 / 24, -6, 1 / 24, 2]) {
      await job(new Date(end + offset * day));
      await job(new Date(end + offset * day + 60_000));
    }
    expect(await noticesOf(license.id, customer.account.id)).toEqual([
      { type: 'license.expiring', data: { expiresAt, daysLeft: 30 }, actor: { kind: 'system', id: 'system' } },
      { type: 'license.expiring', data: { expiresAt, daysLeft: 7 }, actor: { kind: 'system', id: 'system' } },
      { type: 'license.expired', data: { expiresAt }, actor: { kind: 'system', id: 'system' } },
    ]);
  });

  it('gives a license issued inside the 7-day window one notice at the next run, and a revoked license none', async () => {
    const customer = await registerCustomer();
    const soon = await issueLicense(opsPrincipal, { customerId: customer.account.id, expiresAt: new Date(Date.now() + 5 * day).toISOString() });
    const revoked = await issueLicense(opsPrincipal, { customerId: customer.account.id, expiresAt: new Date(Date.now() + 20 * day).toISOString() });
    expect((await call('revokeLicense', { as: opsPrincipal, params: { licenseId: revoked.license.id } })).status).toBe(200);
    await job(new Date(Date.now() + 60_000));
    await job(new Date(Date.now() + 25 * day));
    expect(await noticesOf(soon.license.id, customer.account.id)).toEqual([
      { type: 'license.expiring', data: { expiresAt: soon.license.expiresAt, daysLeft: 5 }, actor: { kind: 'system', id: 'system' } },
      { type: 'license.expired', data: { expiresAt: soon.license.expiresAt }, actor: { kind: 'system', id: 'system' } },
    ]);
    expect(await noticesOf(revoked.license.id, customer.account.id)).toEqual([]);
  });
});
