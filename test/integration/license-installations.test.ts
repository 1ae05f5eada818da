import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { LicenseInstallation } from '@license-activation/contract/schemas';
import { approveDeviceAuthorization, startDeviceAuthorization } from '#lib/installations/sign-in-activation.js';
import { signInActivationDeps } from '#lib/installations/sign-in-activation-deps.js';
import { call, newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { createCustomerOf, createReseller, issueLicense, machine } from '../support/scenario.js';

type Page = { items: LicenseInstallation[]; nextCursor?: string };

const activate = async (installation: TestInstallation, key: string, overrides: Parameters<typeof machine>[0] = {}) => {
  const answer = await call('activate', { installation, body: { key, productId: 'modeler', ...machine(overrides) } });
  expect(answer.status).toBe(201);
};

describe('GET /v1/licenses/{id}/installations', () => {
  it("lists the installations holding the license, each with its mode and warnings, paged", async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 5, maxActivations: 3 });
    const installations = await Promise.all([newInstallation(), newInstallation(), newInstallation()]);
    await activate(installations[0] as TestInstallation, key, { hostname: 'old.example', version: '4.5.0' });
    await activate(installations[1] as TestInstallation, key, { hostname: 'new.example', version: '4.6.0' });
    await activate(installations[2] as TestInstallation, key, { hostname: 'third.example', version: '4.6.0' });

    const first = await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: license.id }, query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call<Page>('listLicenseInstallations', { as: reseller.principal, params: { licenseId: license.id }, query: { cursor: first.body.nextCursor ?? '' } });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();

    const all = [...first.body.items, ...second.body.items];
    expect(all.map((item) => item.installation.id).sort()).toEqual(installations.map((installation) => installation.id).sort());
    const old = all.find((item) => item.installation.hostname === 'old.example');
    expect(old).toMatchObject({ mode: 'full', limitedReasons: [], warnings: ['VERSION_UNSUPPORTED'], installation: { version: '4.5.0', activations: [{ licenseId: license.id }] } });
    expect(all.find((item) => item.installation.hostname === 'new.example')).toMatchObject({ mode: 'full', warnings: [] });
  });

  it('shows a suspended license as limited mode on its installations', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server' });
    await activate(await newInstallation(), key);
    expect((await call('suspendLicense', { as: reseller.principal, params: { licenseId: license.id }, body: {} })).status).toBe(200);

    const answer = await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: license.id } });

    expect(answer.body.items).toEqual([expect.objectContaining({ mode: 'limited', limitedReasons: expect.arrayContaining(['LICENSE_SUSPENDED']) })]);
  });

  it('drops a released installation at once, and shows one past the release allowance as released until its slot frees', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server', maxActivations: 4 });
    const installations = await Promise.all([1, 2, 3, 4].map(() => newInstallation()));
    for (const installation of installations) await activate(installation, key);
    const list = async () => (await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: license.id } })).body.items;

    for (const [index, installation] of installations.entries()) {
      const released = await call('releaseActivation', { params: { installationId: installation.id, licenseId: license.id }, headers: { Authorization: `Bearer ${customer.apiKey}` } });
      expect(released.status).toBe(204);
      if (index < 3) expect((await list()).map((item) => item.installation.id)).not.toContain(installation.id);
    }

    // Three releases with live tokens freed their slots at once; the fourth holds its slot until its token expires.
    const [held, ...others] = await list();
    expect(others).toEqual([]);
    const activation = held?.installation.activations.find((candidate) => candidate.licenseId === license.id);
    expect(held?.installation.id).toBe(installations[3]?.id);
    expect(activation).toMatchObject({ releasedAt: expect.any(String), freesAt: expect.any(String) });
    expect(Date.parse(activation?.freesAt ?? '')).toBeGreaterThan(Date.now());
  });

  it('answers an empty page for a license nobody holds, and 400 for a cursor of another license', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const issued = await Promise.all([1, 2].map(() => issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server', maxActivations: 2 })));
    const [held, empty] = issued.map((item) => item.license);
    for (let index = 0; index < 2; index += 1) await activate(await newInstallation(), issued[0]?.key ?? '');

    expect((await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: empty?.id ?? '' } })).body).toEqual({ items: [] });
    const page = await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: held?.id ?? '' }, query: { limit: '1' } });
    const foreign = await call('listLicenseInstallations', { as: customer.principal, params: { licenseId: empty?.id ?? '' }, query: { cursor: page.body.nextCursor ?? '' } });
    expect(foreign).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  // An addition to API.md for the license site: `activation.method` and `installation.tokenExpiresAt`.
  it('says how each installation was activated (online, offline, sign-in) and until when its latest token is valid', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server', maxActivations: 3 });
    const [online, offline, signIn] = await Promise.all([newInstallation(), newInstallation(), newInstallation()]);
    await activate(online as TestInstallation, key, { hostname: 'online.example' });
    const request = await (offline as TestInstallation).sign('activation-request+jwt', {
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      key,
      productId: 'modeler',
      ...machine({ hostname: 'offline.example' }),
    });
    const licenseFile = await call<{ token: string }>('offlineActivate', { body: { request } });
    expect(licenseFile.status).toBe(201);
    const deps = signInActivationDeps();
    const now = new Date();
    const asker = { kind: 'installation' as const, id: (signIn as TestInstallation).id, jwk: (signIn as TestInstallation).jwk, jti: crypto.randomUUID(), iat: Math.floor(now.getTime() / 1000) };
    const { userCode } = await startDeviceAuthorization(deps, { installation: asker, input: { productId: 'modeler', ...machine({ hostname: 'sign-in.example' }) }, now });
    await approveDeviceAuthorization(deps, {
      caller: { account: { kind: 'customer', id: customer.account.id }, person: { kind: 'person', id: 'person-of-the-customer', emailVerified: true } },
      userCode,
      licenseId: license.id,
      now,
    });

    const { body } = await call<Page>('listLicenseInstallations', { as: customer.principal, params: { licenseId: license.id } });
    const byHost = new Map(body.items.map((item) => [item.installation.hostname, item.installation]));
    const methodOf = (hostname: string) => byHost.get(hostname)?.activations.find((activation) => activation.licenseId === license.id)?.method;
    expect([methodOf('online.example'), methodOf('offline.example'), methodOf('sign-in.example')]).toEqual(['online', 'offline', 'sign-in']);
    // The offline installation runs on its license file until that expires.
    expect(byHost.get('offline.example')?.tokenExpiresAt).toBe(new Date((decodeJwt(licenseFile.body.token).exp ?? 0) * 1000).toISOString());
    expect(Date.parse(byHost.get('online.example')?.tokenExpiresAt ?? '')).toBeGreaterThan(Date.now());
  });
});
