import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AuditEvent, License } from '@license-activation/contract/schemas';
import { normalizeLicenseKey } from '#lib/licenses/license-key.js';
import { call } from '../support/api.js';
import { createCustomerOf, createReseller, issueLicense, registerCustomer } from '../support/scenario.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /v1/licenses', () => {
  it('lets a reseller issue a license key for its customer', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const answer = await call<{ license: License; key: string }>('issueLicense', {
      as: reseller.principal,
      body: { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 50 },
    });
    expect(answer.status).toBe(201);
    const { license, key } = answer.body;
    expect(key).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(license).toEqual({
      id: expect.stringMatching(/^lic_/),
      customerId: customer.account.id,
      productId: 'authserver',
      type: 'users',
      quantity: 50,
      status: 'active',
      keyPrefix: key.slice(0, 5),
      issuedBy: reseller.account.id,
      createdAt: expect.any(String),
      maxActivations: 1,
      activations: 0,
    });
  });

  it('never stores the key in clear, with or without an idempotency key', async () => {
    const customer = await registerCustomer();
    const plain = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const kept = await call<{ key: string }>('issueLicense', {
      as: opsPrincipal,
      headers: { 'Idempotency-Key': 'keep-me' },
      body: { customerId: customer.account.id, productId: 'authserver', type: 'users' },
    });
    const { Items = [] } = await table().client.send(new ScanCommand({ TableName: table().name }));
    const dump = JSON.stringify(Items);
    for (const key of [plain.key, kept.body.key]) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(normalizeLicenseKey(key));
      expect(dump).not.toContain(key.slice(6));
    }
  });

  it.each([
    ['a customer it does not manage', 'other'],
    ['a customer that does not exist', 'missing'],
  ])('answers 404 to a reseller issuing for %s', async (_, which) => {
    const reseller = await createReseller();
    const stranger = await registerCustomer();
    const customerId = which === 'other' ? stranger.account.id : 'acc_does_not_exist';
    const answer = await call('issueLicense', { as: reseller.principal, body: { customerId, productId: 'authserver', type: 'users' } });
    expect(answer).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('lets ops issue for any customer but not for a reseller account', async () => {
    const customer = await registerCustomer();
    const reseller = await createReseller();
    expect((await call('issueLicense', { as: opsPrincipal, body: { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 5 } })).status).toBe(201);
    expect((await call('issueLicense', { as: opsPrincipal, body: { customerId: reseller.account.id, productId: 'modeler', type: 'server' } })).status).toBe(404);
  });

  it('answers 403 to a customer', async () => {
    const customer = await registerCustomer();
    const answer = await call('issueLicense', { as: customer.principal, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } });
    expect(answer).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
  });

  it.each([
    ['a quantity of 0', { quantity: 0 }, 'quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
    ['maxActivations over a million', { maxActivations: 1_000_001 }, 'maxActivations'],
    ['an unknown type', { type: 'floating' }, 'type'],
    ['a type the product does not sell', { type: 'server' }, 'type'],
    ['an end in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
    ['an end that is not a time', { expiresAt: 'tomorrow' }, 'expiresAt'],
    ['an unknown product', { productId: 'spreadsheet' }, 'productId'],
  ])('refuses %s with VALIDATION_FAILED', async (_, overrides, path) => {
    const customer = await registerCustomer();
    const answer = await call<{ code: string; errors: { path: string }[] }>('issueLicense', {
      as: opsPrincipal,
      body: { customerId: customer.account.id, productId: 'authserver', type: 'users', ...overrides },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors.map((error) => error.path)).toContain(path);
  });
});

describe('Idempotency-Key on POST /v1/licenses', () => {
  it('answers a replay with the same license and key', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const request = { as: reseller.principal, headers: { 'Idempotency-Key': 'order-1' }, body: { customerId: customer.account.id, productId: 'vault', type: 'edition', edition: 'premium' } };
    const first = await call<{ license: License; key: string }>('issueLicense', request);
    const replay = await call<{ license: License; key: string }>('issueLicense', request);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it('answers 422 to the same key with another body', async () => {
    const customer = await registerCustomer();
    const headers = { 'Idempotency-Key': 'order-2' };
    await call('issueLicense', { as: opsPrincipal, headers, body: { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 5 } });
    const other = await call('issueLicense', { as: opsPrincipal, headers, body: { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 6 } });
    expect(other).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('keeps callers apart: two resellers may use the same key', async () => {
    const first = await createReseller();
    const second = await createReseller();
    const headers = { 'Idempotency-Key': 'shared' };
    const one = await call<{ license: License }>('issueLicense', { as: first.principal, headers, body: { customerId: (await createCustomerOf(first)).account.id, productId: 'authserver', type: 'users' } });
    const two = await call<{ license: License }>('issueLicense', { as: second.principal, headers, body: { customerId: (await createCustomerOf(second)).account.id, productId: 'authserver', type: 'users' } });
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    expect(one.body.license.id).not.toBe(two.body.license.id);
  });

  it('issues one license for concurrent retries with one key', async () => {
    const customer = await registerCustomer();
    const request = { as: opsPrincipal, headers: { 'Idempotency-Key': 'burst' }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } };
    const answers = await Promise.all(Array.from({ length: 8 }, () => call<{ license: License; key: string }>('issueLicense', request)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((answer) => answer.body.key)).size).toBe(1);
    const listed = await call<{ items: License[] }>('listLicenses', { as: customer.principal });
    expect(listed.body.items).toHaveLength(1);
  });

  it('answers a fresh license once the 24-hour window has passed', async () => {
    const customer = await registerCustomer();
    const request = { as: opsPrincipal, headers: { 'Idempotency-Key': 'daily' }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } };
    const first = await call<{ license: License }>('issueLicense', request);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 24 * 60 * 60 * 1000 + 1000 });
    const later = await call<{ license: License }>('issueLicense', request);
    expect(later.status).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(later.body.license.id).not.toBe(first.body.license.id);
  });

  it('re-checks on a replay that the reseller still manages the customer: 404 and no key once dissociated', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const request = { as: reseller.principal, headers: { 'Idempotency-Key': 'order-after-loss' }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } };
    expect((await call('issueLicense', request)).status).toBe(201);
    await call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: customer.account.id } });

    const replay = await call<{ code: string; key?: string }>('issueLicense', request);

    expect(replay.status).toBe(404);
    expect(replay.body.code).toBe('NOT_FOUND');
    expect(replay.body.key).toBeUndefined();
  });

  it('refuses an idempotency key that is too long', async () => {
    const customer = await registerCustomer();
    const answer = await call('issueLicense', { as: opsPrincipal, headers: { 'Idempotency-Key': 'k'.repeat(256) }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});

describe('reading licenses', () => {
  it('shows a license to its customer, its reseller and ops, and 404 to everyone else', async () => {
    const reseller = await createReseller();
    const otherReseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const otherCustomer = await registerCustomer();
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id });
    const params = { licenseId: license.id };
    for (const principal of [customer.principal, reseller.principal, opsPrincipal]) {
      expect(await call('getLicense', { as: principal, params })).toMatchObject({ status: 200, body: { license } });
    }
    for (const principal of [otherCustomer.principal, otherReseller.principal]) {
      expect(await call('getLicense', { as: principal, params })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    }
    expect(await call('getLicense', { as: opsPrincipal, params: { licenseId: 'x'.repeat(3000) } })).toMatchObject({ status: 404 });
  });

  it('shows an expired license as expired once its end has passed', async () => {
    const customer = await registerCustomer();
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id, expiresAt });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 60 * 60 * 1000 });
    expect(await call('getLicense', { as: customer.principal, params: { licenseId: license.id } })).toMatchObject({ body: { license: { status: 'expired' } } });
  });

  it("lists a customer's licenses newest first, for the customer and with customerId", async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const issued = [];
    for (let index = 0; index < 3; index += 1) issued.push((await issueLicense(reseller.principal, { customerId: customer.account.id })).license.id);
    const mine = await call<{ items: License[] }>('listLicenses', { as: customer.principal });
    expect(mine.body.items.map((license) => license.id)).toEqual([...issued].reverse());
    const theirs = await call<{ items: License[] }>('listLicenses', { as: reseller.principal, query: { customerId: customer.account.id } });
    expect(theirs.body.items.map((license) => license.id)).toEqual([...issued].reverse());
    const stranger = await registerCustomer();
    expect((await call('listLicenses', { as: stranger.principal, query: { customerId: customer.account.id } })).status).toBe(404);
    expect((await call('listLicenses', { as: (await createReseller()).principal, query: { customerId: customer.account.id } })).status).toBe(404);
  });

  it('lists every license of every customer a reseller manages, page by page', async () => {
    const reseller = await createReseller();
    const customers = [await createCustomerOf(reseller), await createCustomerOf(reseller), await createCustomerOf(reseller)];
    const expected = new Set<string>();
    for (const [index, customer] of customers.entries()) {
      for (let count = 0; count <= index; count += 1) expected.add((await issueLicense(reseller.principal, { customerId: customer.account.id })).license.id);
    }
    await createCustomerOf(reseller);
    await issueLicense(opsPrincipal, { customerId: (await registerCustomer()).account.id });
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    do {
      const answer = await call<{ items: License[]; nextCursor?: string }>('listLicenses', { as: reseller.principal, query: cursor ? { limit: '2', cursor } : { limit: '2' } });
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((license) => license.id));
      pageSizes.push(answer.body.items.length);
      cursor = answer.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(new Set(seen)).toEqual(expected);
    // Six licenses, two a page: the third page is the last, and no empty page follows it.
    expect(pageSizes).toEqual([2, 2, 2]);
  });
});

describe('suspend, reinstate, revoke', () => {
  it('moves a license through its states and records each change', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id });
    const params = { licenseId: license.id };
    expect(await call('suspendLicense', { as: reseller.principal, params, body: { reason: 'unpaid invoice' } })).toMatchObject({ status: 200, body: { license: { status: 'suspended' } } });
    expect(await call('suspendLicense', { as: reseller.principal, params })).toMatchObject({ status: 200, body: { license: { status: 'suspended' } } });
    expect(await call('reinstateLicense', { as: opsPrincipal, params })).toMatchObject({ status: 200, body: { license: { status: 'active' } } });
    expect(await call('revokeLicense', { as: reseller.principal, params })).toMatchObject({ status: 200, body: { license: { status: 'revoked' } } });
    expect(await call('reinstateLicense', { as: opsPrincipal, params })).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    expect(await call('suspendLicense', { as: opsPrincipal, params })).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const events = await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: customer.principal, params });
    expect(events.body.items.map((event) => event.type)).toEqual(['license.revoked', 'license.reinstated', 'license.suspended', 'license.issued']);
    expect(events.body.items[2]).toMatchObject({ actor: { kind: 'reseller', id: reseller.account.id }, data: { from: 'active', to: 'suspended', reason: 'unpaid invoice' } });
  });

  it('answers 403 to a customer and 404 to a reseller that lost the customer', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id });
    expect((await call('suspendLicense', { as: customer.principal, params: { licenseId: license.id } })).status).toBe(403);
    await call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: customer.account.id } });
    expect((await call('suspendLicense', { as: reseller.principal, params: { licenseId: license.id } })).status).toBe(404);
  });

  it('lets only the issuing reseller (and ops) suspend, reinstate or revoke: another reseller of the customer is 403', async () => {
    const issuer = await createReseller();
    const other = await createReseller();
    const customer = await createCustomerOf(issuer);
    expect((await call('addAssociation', { as: opsPrincipal, body: { resellerId: other.account.id, customerId: customer.account.id } })).status).toBe(201);
    const { license } = await issueLicense(issuer.principal, { customerId: customer.account.id });
    const params = { licenseId: license.id };

    for (const routeId of ['suspendLicense', 'reinstateLicense', 'revokeLicense'] as const) {
      expect(await call(routeId, { as: other.principal, params })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    }
    expect((await call<{ license: License }>('getLicense', { as: other.principal, params })).body.license.status).toBe('active');
    expect(await call('suspendLicense', { as: issuer.principal, params })).toMatchObject({ status: 200, body: { license: { status: 'suspended' } } });
    expect(await call('reinstateLicense', { as: opsPrincipal, params })).toMatchObject({ status: 200, body: { license: { status: 'active' } } });
  });

  it('refuses an unknown field in the body', async () => {
    const customer = await registerCustomer();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    expect(await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id }, body: { why: 'x' } })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});
