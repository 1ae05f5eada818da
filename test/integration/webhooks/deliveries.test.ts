import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import type { ApiKeyCreated, AuditEvent, WebhookDelivery, WebhookEndpoint } from '@license-activation/contract/schemas';
import { call, newInstallation } from '../../support/api.js';
import { request, startLocalService } from '../../support/http-client.js';
import type { Credential } from '../../support/http-client.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../../support/scenario.js';
import { addEndpoint, startTestDispatcher, verified } from '../../support/webhooks.js';
import type { TestDispatcher } from '../../support/webhooks.js';
import { startReceiver } from '../../support/webhook-receiver.js';
import type { ReceivedWebhook, ReceiverAnswer, TestReceiver } from '../../support/webhook-receiver.js';

// Deliveries end to end: requests through the real handlers, the dispatcher on DynamoDB Local's stream as
// `npm start` runs it, real receivers on 127.0.0.1.

let dispatcher: TestDispatcher;
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  dispatcher = await startTestDispatcher();
});
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await dispatcher.stop();
});

async function receiver(answer?: (request: ReceivedWebhook, index: number) => ReceiverAnswer): Promise<TestReceiver> {
  const started = await startReceiver(answer);
  closers.push(() => started.close());
  return started;
}

/** A TCP server that answers every connection its own way (not HTTP, or not at all). */
async function rawServer(onConnection: (socket: Socket) => void): Promise<string> {
  // Reading what comes in, so that a connection the client closes ends here too.
  const server: Server = createServer((socket) => {
    socket.resume();
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

const webhookIds = (inbox: TestReceiver) => inbox.received.map((request) => request.headers['webhook-id']);
const deliveriesOf = async (as: AccountPrincipal, endpointId: string) =>
  (await call<{ items: WebhookDelivery[] }>('listWebhookDeliveries', { as, params: { endpointId } })).body.items;

describe('webhook deliveries', () => {
  it('signs a vendor-wide delivery of an account.created so that standardwebhooks verifies it, data exactly the event as the feed answers it', async () => {
    // Prepare
    const inbox = await receiver();
    const { secret } = await addEndpoint(opsPrincipal, { url: inbox.url, types: ['account.created'] });
    // Act
    const customer = await registerCustomer();
    await dispatcher.settled();
    // Assess
    const [delivery] = await inbox.waitFor(1);
    const payload = verified(delivery!, secret);
    const feed = await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: opsPrincipal, params: { customerId: customer.account.id } });
    const created = feed.body.items.find((event) => event.type === 'account.created');
    expect(payload).toEqual({ type: 'account.created', timestamp: created?.createdAt, data: created });
    expect(delivery?.headers['webhook-id']).toBe(created?.id);
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['user-agent']).toMatch(/^license-activation/);
  });

  it("takes issue 25's and issue 30's event types by name: an owner's api_key.created reaches the account's endpoint and its reseller's, actor named", async () => {
    const [customerInbox, resellerInbox] = await Promise.all([receiver(), receiver()]);
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const subscribed = ['api_key.created', 'api_key.revoked', 'member.accepted', 'member.role_changed', 'installation.forked', 'installation.clone_detected', 'installation.clone_cleared'];
    await addEndpoint(customer.principal, { url: customerInbox.url, types: subscribed });
    await addEndpoint(reseller.principal, { url: resellerInbox.url, types: subscribed });
    const created = await call<{ apiKey: { id: string } }>('createApiKey', { as: opsPrincipal, params: { accountId: customer.account.id } });
    expect(created.status).toBe(201);
    await dispatcher.settled();
    for (const inbox of [customerInbox, resellerInbox]) {
      const [delivery] = await inbox.waitFor(1);
      const body = JSON.parse(delivery?.body ?? '{}') as { type: string; data: AuditEvent };
      expect(body.type).toBe('api_key.created');
      expect(body.data).toMatchObject({ customerId: customer.account.id, actor: { kind: 'ops', id: 'ops' }, data: { keyId: created.body.apiKey.id } });
    }
  });

  it("sends each owner what it may read: a customer its own events, its reseller those of its customers, the vendor everything (trials too), another customer nothing", async () => {
    // Prepare
    const [customerInbox, resellerInbox, vendorInbox, strangerInbox] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const stranger = await registerCustomer();
    await addEndpoint(customer.principal, { url: customerInbox.url });
    await addEndpoint(reseller.principal, { url: resellerInbox.url });
    await addEndpoint(stranger.principal, { url: strangerInbox.url });
    await addEndpoint(opsPrincipal, { url: vendorInbox.url, types: ['license.issued', 'trial.started'] });
    // Act
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id });
    const trial = await call('startTrial', { installation: await newInstallation(), body: { productId: 'authserver', ...machine() } });
    expect(trial.status).toBe(201);
    await dispatcher.settled();
    // Assess
    const issued = (await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: opsPrincipal, params: { licenseId: license.id } })).body.items.find((event) => event.type === 'license.issued');
    expect(webhookIds(customerInbox)).toEqual([issued?.id]);
    expect(webhookIds(resellerInbox)).toEqual([issued?.id]);
    expect(vendorInbox.received.map((request) => JSON.parse(request.body).type).toSorted()).toEqual(['license.issued', 'trial.started']);
    expect(strangerInbox.received).toEqual([]);
  });

  it('sends an endpoint only the types it names, and only events committed after its creation', async () => {
    const inbox = await receiver();
    const customer = await registerCustomer();
    const { endpoint } = await addEndpoint(customer.principal, { url: inbox.url, types: ['license.suspended'] });
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    await dispatcher.settled();
    expect(inbox.received.map((request) => JSON.parse(request.body).type)).toEqual(['license.suspended']);
    // Types changed to every type: the next event of any type comes, nothing earlier.
    await call('updateWebhookEndpoint', { as: customer.principal, params: { endpointId: endpoint.id }, body: { types: null } });
    await call('reinstateLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    await dispatcher.settled();
    expect(inbox.received.map((request) => JSON.parse(request.body).type)).toEqual(['license.suspended', 'license.reinstated']);
  });

  it("delivers installation.mode_changed once per change, never per heartbeat, to the customer's endpoint", async () => {
    const inbox = await receiver();
    const customer = await registerCustomer();
    await addEndpoint(customer.principal, { url: inbox.url, types: ['installation.mode_changed'] });
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const installation = await newInstallation();
    const activated = await call('activate', { installation, body: { key, productId: 'authserver', ...machine() } });
    expect(activated.status).toBe(201);
    await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    for (let beat = 0; beat < 3; beat += 1) {
      const answer = await call('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
      expect(answer.status).toBe(200);
    }
    await dispatcher.settled();
    const payloads = inbox.received.map((request) => JSON.parse(request.body) as { type: string; data: AuditEvent });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]?.data).toMatchObject({
      type: 'installation.mode_changed',
      customerId: customer.account.id,
      installationId: installation.id,
      data: { from: { mode: 'full', reasons: [] }, to: { mode: 'limited', reasons: ['LICENSE_SUSPENDED'] } },
    });
    const feed = (await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: customer.principal, params: { licenseId: license.id } })).body.items;
    expect(feed.filter((event) => event.type === 'installation.mode_changed')).toHaveLength(1);
  });

  it('delivers a test event to the endpoint that asked, only there, stored in no feed', async () => {
    const [inbox, other] = await Promise.all([receiver(), receiver()]);
    const customer = await registerCustomer();
    const { endpoint, secret } = await addEndpoint(customer.principal, { url: inbox.url });
    await addEndpoint(customer.principal, { url: other.url });
    const answer = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: customer.principal, params: { endpointId: endpoint.id } });
    expect(answer.status).toBe(202);
    expect(answer.body.delivery).toMatchObject({ endpointId: endpoint.id, type: 'webhook.test', status: 'pending', attempts: 0 });
    await dispatcher.settled();
    const [delivered] = await inbox.waitFor(1);
    expect(verified(delivered!, secret)).toMatchObject({ type: 'webhook.test', data: { id: answer.body.delivery.eventId, data: { endpointId: endpoint.id } } });
    expect(other.received).toEqual([]);
    const feed = (await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: customer.principal, params: { customerId: customer.account.id } })).body.items;
    expect(feed.map((event) => event.type)).not.toContain('webhook.test');
    expect((await deliveriesOf(customer.principal, endpoint.id))[0]).toMatchObject({ id: answer.body.delivery.id, status: 'succeeded', attempts: 1, lastResponseStatus: 204 });
  });

  it('signs with both secrets during a rotation, each verifying on its own; after a second rotation within 24 hours the oldest stops', async () => {
    const inbox = await receiver();
    const customer = await registerCustomer();
    const { endpoint, secret: first } = await addEndpoint(customer.principal, { url: inbox.url });
    const rotated = await call<{ endpoint: WebhookEndpoint; secret: string }>('rotateWebhookSecret', { as: customer.principal, params: { endpointId: endpoint.id } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(rotated.body.endpoint.secretRotatedAt).toBeDefined();
    await call('testWebhookEndpoint', { as: customer.principal, params: { endpointId: endpoint.id } });
    await dispatcher.settled();
    const [during] = await inbox.waitFor(1);
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(during!, first).type).toBe('webhook.test');
    expect(verified(during!, rotated.body.secret).type).toBe('webhook.test');

    const again = await call<{ secret: string }>('rotateWebhookSecret', { as: customer.principal, params: { endpointId: endpoint.id } });
    await call('testWebhookEndpoint', { as: customer.principal, params: { endpointId: endpoint.id } });
    await dispatcher.settled();
    const [, after] = await inbox.waitFor(2);
    expect(verified(after!, again.body.secret).type).toBe('webhook.test');
    expect(verified(after!, rotated.body.secret).type).toBe('webhook.test');
    expect(() => verified(after!, first)).toThrow();
  });

  it('sends to a fast endpoint at once while another hangs: neither the batch nor the other endpoint waits for it', async () => {
    const hanging = await receiver(() => () => undefined);
    const fast = await receiver();
    await addEndpoint(opsPrincipal, { url: hanging.url, types: ['budget.set'] });
    await addEndpoint(opsPrincipal, { url: fast.url, types: ['budget.set'] });
    const reseller = await createReseller();
    const committedAt = Date.now();
    await call('setBudget', { as: opsPrincipal, params: { resellerId: reseller.account.id, productId: 'authserver', type: 'users' }, body: { limit: 10 } });
    await hanging.waitFor(1);
    const [fastOne] = await fast.waitFor(1);
    expect(fastOne!.receivedAt - committedAt).toBeLessThan(5_000);
    // The next event goes out while the first attempt still hangs.
    await call('setBudget', { as: opsPrincipal, params: { resellerId: reseller.account.id, productId: 'authserver', type: 'users' }, body: { limit: 20 } });
    await fast.waitFor(2);
    expect(hanging.received.length).toBeLessThanOrEqual(2);
    await hanging.close();
  });

  it('says in the delivery log how each receiver failed: 5xx, 3xx (not followed), garbage, a reset connection, a refused one', async () => {
    const redirectTarget = await receiver();
    const cases = {
      'answered 503': (await receiver(() => 503)).url,
      'answered 301: redirects are not followed': (await receiver(() => ({ status: 301, headers: { location: redirectTarget.url } }))).url,
      'not a valid HTTP answer': await rawServer((socket) => socket.end('this is not HTTP\r\n\r\n')),
      'connection reset by the receiver': await rawServer((socket) => socket.on('data', () => socket.resetAndDestroy())),
      'connection refused': 'http://127.0.0.1:9/hooks',
    };
    const customer = await registerCustomer();
    const endpoints = await Promise.all(Object.values(cases).map((url) => addEndpoint(customer.principal, { url })));
    await Promise.all(endpoints.map(({ endpoint }) => call('testWebhookEndpoint', { as: customer.principal, params: { endpointId: endpoint.id } })));
    await dispatcher.settled();
    const logs = await Promise.all(endpoints.map(async ({ endpoint }) => (await deliveriesOf(customer.principal, endpoint.id))[0]));
    Object.keys(cases).forEach((expected, index) => {
      expect(logs[index]?.lastError, expected).toContain(expected);
      // A failed first attempt leaves a retry due; the run waits for the 5-second one and tries again.
      expect(logs[index]?.status).toBe('pending');
    });
    expect(logs[0]?.lastResponseStatus).toBe(503);
    expect(logs[1]?.lastResponseStatus).toBe(301);
    expect(redirectTarget.received).toEqual([]);
  }, 30_000);

  it('disables the endpoints an API key created when its owners revoke that key (DELETE …/api-keys/{keyId}), and no other', async () => {
    const inbox = await receiver();
    const service = await startLocalService();
    closers.push(service.close);
    const customer = await registerCustomer();
    const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };
    const path = `/v1/accounts/${customer.account.id}/api-keys`;
    const second = await request<ApiKeyCreated>(service.baseUrl, 'POST', path, { credential: ops });
    expect(second.status).toBe(201);
    // Over HTTP, as a vendor's integration adds them: the authorizer names the key that authenticated each request.
    const add = async (apiKey: string) => {
      const answer = await request<{ endpoint: WebhookEndpoint }>(service.baseUrl, 'POST', '/v1/webhook-endpoints', { credential: { apiKey }, body: { url: inbox.url } });
      expect(answer.status).toBe(201);
      return answer.body.endpoint;
    };
    const [byRevokedKey, byOtherKey] = [await add(customer.apiKey), await add(second.body.key)];
    // The account's first key, as its owners see it listed beside the second.
    const listed = await request<{ items: { id: string }[] }>(service.baseUrl, 'GET', path, { credential: ops });
    const firstKeyId = listed.body.items.map((key) => key.id).find((id) => id !== second.body.apiKey.id);
    const revoked = await request(service.baseUrl, 'DELETE', `${path}/${firstKeyId ?? ''}`, { credential: ops });
    expect(revoked.status).toBe(204);
    await dispatcher.settled();
    const read = async (endpoint: WebhookEndpoint) =>
      (await request<{ endpoint: WebhookEndpoint }>(service.baseUrl, 'GET', `/v1/webhook-endpoints/${endpoint.id}`, { credential: { apiKey: second.body.key } })).body.endpoint;
    expect(await read(byRevokedKey)).toMatchObject({ enabled: false, disabledReason: 'KEY_REVOKED' });
    expect(await read(byOtherKey)).toMatchObject({ enabled: true });
  });

  it('recovers what a disabled endpoint missed, once enabled again: sent anew, with the same webhook-id', async () => {
    const inbox = await receiver();
    const customer = await registerCustomer();
    const { endpoint } = await addEndpoint(customer.principal, { url: inbox.url });
    const params = { endpointId: endpoint.id };
    await call('updateWebhookEndpoint', { as: customer.principal, params, body: { enabled: false } });
    const since = new Date().toISOString();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    await dispatcher.settled();
    expect(inbox.received).toEqual([]);
    expect((await call('recoverWebhookDeliveries', { as: customer.principal, params, body: { since } })).status).toBe(409);
    await call('updateWebhookEndpoint', { as: customer.principal, params, body: { enabled: true } });
    await dispatcher.settled();
    // Enabling resends nothing; recover does.
    expect(inbox.received).toEqual([]);
    const recovered = await call<{ deliveries: WebhookDelivery[] }>('recoverWebhookDeliveries', { as: customer.principal, params, body: { since } });
    expect(recovered.status).toBe(202);
    expect(recovered.body.deliveries.map((delivery) => delivery.type)).toEqual(['license.issued']);
    await dispatcher.settled();
    const issued = (await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: customer.principal, params: { licenseId: license.id } })).body.items.find((event) => event.type === 'license.issued');
    expect(webhookIds(inbox)).toEqual([issued?.id]);
    // Nothing left to recover.
    const again = await call<{ deliveries: WebhookDelivery[] }>('recoverWebhookDeliveries', { as: customer.principal, params, body: { since } });
    expect(again.body.deliveries).toEqual([]);
  });

  it('takes at most 10 test, retry and recover calls a minute per endpoint, then 429 with Retry-After', { timeout: 60_000 }, async () => {
    const customer = await registerCustomer();
    const { endpoint } = await addEndpoint(customer.principal, { url: 'http://127.0.0.1:9/hooks' });
    const { endpoint: other } = await addEndpoint(customer.principal, { url: 'http://127.0.0.1:9/hooks' });
    const params = { endpointId: endpoint.id };
    // Calls are counted per minute: the eleven below must fall in one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 40_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    const statuses: number[] = [];
    for (let index = 0; index < 10; index += 1) statuses.push((await call('testWebhookEndpoint', { as: customer.principal, params })).status);
    const refused = await call('recoverWebhookDeliveries', { as: customer.principal, params, body: { since: new Date().toISOString() } });
    expect(statuses).toEqual(Array(10).fill(202));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await call('testWebhookEndpoint', { as: customer.principal, params: { endpointId: other.id } })).status).toBe(202);
  });
});
