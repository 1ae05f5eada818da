import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { Account, AuditEvent } from '@license-activation/contract/schemas';
import { call, eventFor, send } from '../support/api.js';
import { scanTable } from '../support/table-snapshot.js';
import { createCustomerOf, createReseller, registerCustomer } from '../support/scenario.js';

describe('POST /v1/accounts/register', () => {
  it('creates a customer account and returns its API key once', async () => {
    const answer = await call<{ account: Account; apiKey: string }>('registerAccount', { body: { name: 'Acme', email: 'it@acme.example' } });
    expect(answer.status).toBe(201);
    expect(answer.body.account).toEqual({ id: expect.stringMatching(/^acc_/), kind: 'customer', name: 'Acme', email: 'it@acme.example', createdAt: expect.any(String) });
    expect(answer.body.apiKey).toMatch(/^lak_[\w-]{43}$/);
    expect(answer.headers['x-request-id']).toBeTruthy();
  });

  it.each([
    ['a malformed email', { name: 'Acme', email: 'not-an-email' }, ['email']],
    ['a missing name', { email: 'it@acme.example' }, ['name']],
    ['a blank name', { name: '  ', email: 'it@acme.example' }, ['name']],
    ['an unknown field', { name: 'Acme', email: 'it@acme.example', plan: 'gold' }, ['plan']],
  ])('refuses %s with VALIDATION_FAILED naming the field', async (_, body, paths) => {
    const answer = await call<{ code: string; errors: { path: string }[] }>('registerAccount', { body });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors.map((error) => error.path)).toEqual(paths);
  });

  it('refuses a body that is not JSON with MALFORMED_JSON', async () => {
    const answer = await call('registerAccount', { rawBody: '{"name": "Acme",' });
    expect(answer).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON', status: 400 } });
  });

  it.each([
    ['text/plain', JSON.stringify({ name: 'Acme', email: 'it@acme.example' })],
    ['text/plain;charset=UTF-8', JSON.stringify({ name: 'Acme', email: 'it@acme.example' })],
    ['application/x-www-form-urlencoded', 'name=Acme&email=it%40acme.example'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nAcme\r\n--x--\r\n'],
    ['application/jsonp', JSON.stringify({ name: 'Acme', email: 'it@acme.example' })],
  ])('refuses a body sent as %s with 415 UNSUPPORTED_MEDIA_TYPE and writes nothing (a cross-site form cannot register)', async (contentType, rawBody) => {
    const before = await scanTable(table());
    const answer = await call('registerAccount', { rawBody, headers: { 'content-type': contentType } });
    expect(answer).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await scanTable(table())).toEqual(before);
  });

  it.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json ;charset=UTF-8'])('takes a JSON body sent as %s', async (contentType) => {
    const answer = await call('registerAccount', { rawBody: JSON.stringify({ name: 'Acme', email: 'it@acme.example' }), headers: { 'content-type': contentType } });
    expect(answer.status).toBe(201);
  });

  it('refuses a body without a Content-Type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const event = await eventFor('registerAccount', { body: { name: 'Acme', email: 'it@acme.example' } });
    expect(await send({ ...event, headers: {}, multiValueHeaders: {} })).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('refuses a body over 64 KiB with PAYLOAD_TOO_LARGE', async () => {
    const answer = await call('registerAccount', { body: { name: 'x'.repeat(70_000), email: 'it@acme.example' } });
    expect(answer).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('stores the API key only as a hash', async () => {
    const { apiKey } = await registerCustomer();
    const { Items = [] } = await table().client.send(new ScanCommand({ TableName: table().name }));
    expect(JSON.stringify(Items)).not.toContain(apiKey);
    expect(JSON.stringify(Items)).not.toContain(apiKey.slice(4, 30));
  });
});

describe('POST /v1/admin/resellers', () => {
  it('lets ops create a reseller', async () => {
    const answer = await call<{ account: Account }>('createReseller', { as: opsPrincipal, body: { name: 'Channel', email: 'sales@channel.example' } });
    expect(answer.status).toBe(201);
    expect(answer.body.account.kind).toBe('reseller');
  });

  it('answers 403 to a reseller and 401 to nobody', async () => {
    const reseller = await createReseller();
    const body = { name: 'Channel', email: 'sales@channel.example' };
    expect((await call('createReseller', { as: reseller.principal, body })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await call('createReseller', { body })).body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe('customers of a reseller', () => {
  it('lists the customers a reseller created and none of another reseller', async () => {
    const reseller = await createReseller();
    const other = await createReseller();
    const first = await createCustomerOf(reseller);
    const second = await createCustomerOf(reseller);
    await createCustomerOf(other);
    const answer = await call<{ items: Account[] }>('listCustomers', { as: reseller.principal });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((account) => account.id)).toEqual([first.account.id, second.account.id]);
  });

  it('pages through customers with an opaque cursor and no cursor on the last page', async () => {
    const reseller = await createReseller();
    const ids = [];
    for (let index = 0; index < 5; index += 1) ids.push((await createCustomerOf(reseller)).account.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const answer = await call<{ items: Account[]; nextCursor?: string }>('listCustomers', {
        as: reseller.principal,
        query: cursor ? { limit: '2', cursor } : { limit: '2' },
      });
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((account) => account.id));
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it.each([
    ['a limit of 0', { limit: '0' }],
    ['a limit of 101', { limit: '101' }],
    ['a limit that is not a number', { limit: 'ten' }],
    ['a cursor the server did not issue', { cursor: 'bm90LWEtY3Vyc29y' }],
    ['a cursor of another list', { cursor: Buffer.from(JSON.stringify({ pk: 'ACCOUNT#someone-else', sk: 'CUSTOMER#x' })).toString('base64url') }],
    ['an unknown parameter', { sort: 'name' }],
  ])('refuses %s with VALIDATION_FAILED', async (_, query) => {
    const reseller = await createReseller();
    const answer = await call('listCustomers', { as: reseller.principal, query });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('lets ops associate an existing customer with a second reseller, once', async () => {
    const reseller = await createReseller();
    const customer = await registerCustomer();
    const body = { resellerId: reseller.account.id, customerId: customer.account.id };
    const first = await call('addAssociation', { as: opsPrincipal, body });
    expect(first).toMatchObject({ status: 201, body: { association: body } });
    const repeat = await call('addAssociation', { as: opsPrincipal, body });
    expect(repeat.status).toBe(200);
    const listed = await call<{ items: Account[] }>('listCustomers', { as: reseller.principal });
    expect(listed.body.items).toEqual([customer.account]);
  });

  it.each([
    ['an unknown reseller', (reseller: string, customer: string) => ({ resellerId: `${reseller}x`, customerId: customer })],
    ['an unknown customer', (reseller: string, customer: string) => ({ resellerId: reseller, customerId: `${customer}x` })],
    ['a customer named as the reseller', (_: string, customer: string) => ({ resellerId: customer, customerId: customer })],
  ])('answers 404 to an association with %s', async (_, body) => {
    const reseller = await createReseller();
    const customer = await registerCustomer();
    const answer = await call('addAssociation', { as: opsPrincipal, body: body(reseller.account.id, customer.account.id) });
    expect(answer).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('removes an association so the reseller no longer sees the customer', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const params = { resellerId: reseller.account.id, customerId: customer.account.id };
    expect((await call('removeAssociation', { as: opsPrincipal, params })).status).toBe(204);
    expect((await call('removeAssociation', { as: opsPrincipal, params })).status).toBe(404);
    expect((await call<{ items: Account[] }>('listCustomers', { as: reseller.principal })).body.items).toEqual([]);
    expect((await call('listCustomerEvents', { as: reseller.principal, params: { customerId: customer.account.id } })).status).toBe(404);
  });

  it('records account and association events in the customer feed, newest first', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    await call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: customer.account.id } });
    const answer = await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: customer.principal, params: { customerId: customer.account.id } });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((event) => [event.type, event.actor.kind])).toEqual([
      ['association.removed', 'ops'],
      ['association.added', 'reseller'],
      ['account.created', 'reseller'],
    ]);
  });
});
