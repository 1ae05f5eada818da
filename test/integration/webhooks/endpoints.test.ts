import { describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { WebhookEndpoint } from '@license-activation/contract/schemas';
import { call } from '../../support/api.js';
import { createReseller, registerCustomer } from '../../support/scenario.js';
import { addEndpoint } from '../../support/webhooks.js';

// The endpoint routes of API.md §9 through their real handlers, as the owners use them.

const url = 'http://127.0.0.1:9/hooks';

describe('webhook endpoints', () => {
  it('answers a new endpoint with its secret, shown only then: whsec_ and the base64 of 32 bytes', async () => {
    const customer = await registerCustomer();
    const created = await call<{ endpoint: WebhookEndpoint; secret: string }>('createWebhookEndpoint', {
      as: customer.principal,
      body: { url, types: ['license.issued', 'license.issued', 'license.expiring'], description: '  Billing  ' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(created.body.endpoint).toEqual({
      id: expect.stringMatching(/^whe_[0-9A-Z]{26}$/) as unknown,
      accountId: customer.account.id,
      url,
      types: ['license.issued', 'license.expiring'],
      description: 'Billing',
      enabled: true,
      createdAt: expect.any(String) as unknown,
    });
    const read = await call<Record<string, unknown>>('getWebhookEndpoint', { as: customer.principal, params: { endpointId: created.body.endpoint.id } });
    expect(read.body).toEqual({ endpoint: created.body.endpoint });
  });

  it("lists the acting account's endpoints; ops list and own the vendor-wide ones, without accountId", async () => {
    const customer = await registerCustomer();
    const reseller = await createReseller();
    const mine = await addEndpoint(customer.principal, { url });
    await addEndpoint(reseller.principal, { url });
    const vendor = await addEndpoint(opsPrincipal, { url });
    const listed = await call<{ items: WebhookEndpoint[] }>('listWebhookEndpoints', { as: customer.principal });
    expect(listed.body.items.map((endpoint) => endpoint.id)).toEqual([mine.endpoint.id]);
    const opsListed = await call<{ items: WebhookEndpoint[] }>('listWebhookEndpoints', { as: opsPrincipal, query: { limit: '100' } });
    expect(opsListed.body.items.map((endpoint) => endpoint.id)).toContain(vendor.endpoint.id);
    expect(opsListed.body.items.every((endpoint) => endpoint.accountId === undefined)).toBe(true);
    expect(opsListed.body.items.map((endpoint) => endpoint.id)).not.toContain(mine.endpoint.id);
  });

  it("answers 404 for another owner's endpoint, whatever the route, ops included", async () => {
    const owner = await registerCustomer();
    const stranger = await registerCustomer();
    const { endpoint } = await addEndpoint(owner.principal, { url });
    const params = { endpointId: endpoint.id };
    for (const as of [stranger.principal, opsPrincipal]) {
      expect((await call('getWebhookEndpoint', { as, params })).status).toBe(404);
      expect((await call('updateWebhookEndpoint', { as, params, body: { enabled: false } })).status).toBe(404);
      expect((await call('deleteWebhookEndpoint', { as, params })).status).toBe(404);
      expect((await call('rotateWebhookSecret', { as, params })).status).toBe(404);
      expect((await call('testWebhookEndpoint', { as, params })).status).toBe(404);
      expect((await call('listWebhookDeliveries', { as, params })).status).toBe(404);
    }
    expect((await call('getWebhookEndpoint', { as: owner.principal, params })).status).toBe(200);
  });

  it.each([
    ['a URL that is not one', { url: 'not a url' }, 'url'],
    ['a URL with a user and password', { url: 'https://user:secret@hooks.example/in' }, 'url'],
    ['a URL over 2,048 characters', { url: `https://hooks.example/${'a'.repeat(2048)}` }, 'url'],
    ['a private address', { url: 'http://10.1.2.3/hooks' }, 'url'],
    ['the metadata address', { url: 'http://169.254.169.254/latest' }, 'url'],
    ['an unknown event type', { url, types: ['license.exploded'] }, 'types[0]'],
    ['no event type at all', { url, types: [] }, 'types'],
    ['a description with a bidirectional override', { url, description: 'Bill\u202eing' }, 'description'],
    ['an unknown field', { url, secret: 'whsec_mine' }, 'secret'],
  ])('refuses %s with 400 naming the field', async (_what, body, path) => {
    const customer = await registerCustomer();
    const answer = await call<{ code: string; errors: { path: string }[] }>('createWebhookEndpoint', { as: customer.principal, body });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(answer.body.errors.map((error) => error.path)).toContain(path);
  });

  it('holds at most 10 endpoints per account (the 11th is 409), and a deleted one frees its place', async () => {
    const customer = await registerCustomer();
    const created = await Promise.all(Array.from({ length: 10 }, () => call<{ endpoint: WebhookEndpoint }>('createWebhookEndpoint', { as: customer.principal, body: { url } })));
    expect(created.map((answer) => answer.status)).toEqual(Array(10).fill(201));
    const eleventh = await call('createWebhookEndpoint', { as: customer.principal, body: { url } });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body).toMatchObject({ code: 'CONFLICT' });
    const deleted = await call('deleteWebhookEndpoint', { as: customer.principal, params: { endpointId: created[0]?.body.endpoint.id ?? '' } });
    expect(deleted.status).toBe(204);
    expect((await call('getWebhookEndpoint', { as: customer.principal, params: { endpointId: created[0]?.body.endpoint.id ?? '' } })).status).toBe(404);
    expect((await call('createWebhookEndpoint', { as: customer.principal, body: { url } })).status).toBe(201);
  });

  it('changes what is given: URL, types (null: every type again), description (null: none), enabled', async () => {
    const customer = await registerCustomer();
    const { endpoint } = await addEndpoint(customer.principal, { url, types: ['license.issued'], description: 'CRM' });
    const params = { endpointId: endpoint.id };
    const changed = await call<{ endpoint: WebhookEndpoint }>('updateWebhookEndpoint', { as: customer.principal, params, body: { url: 'http://127.0.0.1:10/other', types: null, description: null, enabled: false } });
    expect(changed.status).toBe(200);
    expect(changed.body.endpoint).toEqual({ id: endpoint.id, accountId: customer.account.id, url: 'http://127.0.0.1:10/other', enabled: false, createdAt: endpoint.createdAt });
    const unknown = await call<{ errors: { path: string }[] }>('updateWebhookEndpoint', { as: customer.principal, params, body: { enabled: 'yes' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]?.path).toBe('enabled');
  });
});
