import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vendorWebhookOwner } from '#lib/auth/access.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { getEndpoint, replaceEndpoint } from '#lib/data/webhook-endpoints.js';
import { table } from '#lib/platform/dynamodb.js';
import type { Caller } from '#lib/auth/principal.js';
import { ProblemError } from '@license-activation/contract/problem';
import type { WebhookDelivery } from '@license-activation/contract/schemas';
import { attemptDelivery } from '#lib/webhooks/attempt.js';
import { createWebhookEndpoint, updateWebhookEndpoint } from '#lib/webhooks/endpoints.js';
import { sendWebhook } from '#lib/webhooks/send-webhook.js';
import type { HostResolver, TargetPolicy } from '#lib/webhooks/targets.js';
import { asFunction } from '#dev/table-permissions.js';
import { call } from '../../support/api.js';
import { asDispatcher, clockedDeliveryDeps, storedDelivery } from '../../support/webhooks.js';
import { startReceiver } from '../../support/webhook-receiver.js';
import type { TestReceiver } from '../../support/webhook-receiver.js';

// Where a webhook may go (API.md §9, "URLs"), at creation, at change and at every attempt, with a resolver
// the test injects (no test resolves a real name): the address checked is the address connected to.

const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

async function receiver(): Promise<TestReceiver> {
  const started = await startReceiver();
  closers.push(() => started.close());
  return started;
}

/** A resolver that answers `answers(hostname, call)` and counts its calls. */
function resolver(answers: (hostname: string, call: number) => string[] | undefined): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = answers(hostname, calls.length);
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(resolve, { calls });
}

const ops: Caller = { account: opsPrincipal };
const asEndpoints = <T>(work: () => Promise<T>) => asFunction('webhooks', work);
const problemOf = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('no problem was raised');
};

describe('webhook URLs', () => {
  it.each([
    ['https://internal.test/in', ['10.0.0.5'], '10.0.0.5 is not a globally reachable address (private)'],
    ['https://metadata.test/in', ['169.254.169.254'], 'linkLocal'],
    ['https://metadata6.test/in', ['fd00:ec2::254'], 'uniqueLocal'],
    ['https://mapped.test/in', ['::ffff:10.0.0.5'], 'ipv4Mapped'],
    ['https://nat64.test/in', ['64:ff9b::a00:5'], 'rfc6052'],
    ['https://shared.test/in', ['100.64.1.1'], 'carrierGradeNat'],
    ['http://plain.test/in', ['8.8.8.8'], 'must be an https:// URL'],
    ['https://port.test:8080/in', ['8.8.8.8'], 'the port must be 443 or 8443'],
  ])('refuses %s (resolving to %s) at creation with 400 naming url', async (url, addresses, reason) => {
    const deps = { ...clockedDeliveryDeps(), targets: { allowLocal: false, resolve: resolver(() => addresses) } };
    const refusal = await problemOf(() => asEndpoints(() => createWebhookEndpoint(deps, ops, { url }, new Date())));
    expect(refusal).toMatchObject({ code: 'VALIDATION_FAILED', extra: { errors: [{ path: 'url' }] } });
    expect(refusal.extra.errors?.[0]?.message).toContain(reason);
  });

  it('refuses at a change too, and leaves the endpoint as it was', async () => {
    const good = resolver((hostname) => (hostname === 'hooks.test' ? ['93.184.216.34'] : ['10.0.0.1']));
    const deps = { ...clockedDeliveryDeps(), targets: { allowLocal: false, resolve: good } };
    const { endpoint } = await asEndpoints(() => createWebhookEndpoint(deps, ops, { url: 'https://hooks.test/in' }, new Date()));
    const record = await getEndpoint(table(), vendorWebhookOwner, endpoint.id);
    if (!record) throw new Error('the endpoint was not stored');
    const refusal = await problemOf(() => asEndpoints(() => updateWebhookEndpoint(deps, record, { url: 'https://evil.test/in' })));
    expect(refusal.code).toBe('VALIDATION_FAILED');
    const now = await call<{ endpoint: { url: string } }>('getWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    expect(now.body.endpoint.url).toBe('https://hooks.test/in');
  });

  it('accepts a host that does not resolve at creation, and at an attempt refuses what it resolves to then, connecting nowhere', async () => {
    const dns: { answer?: string[] } = {};
    const targets: TargetPolicy = { allowLocal: false, resolve: resolver(() => dns.answer) };
    const deps = { ...clockedDeliveryDeps(), targets };
    const { endpoint } = await asEndpoints(() => createWebhookEndpoint(deps, ops, { url: 'https://later.test/in' }, new Date()));
    const test = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    const ref = { endpointId: endpoint.id, eventId: test.body.delivery.eventId };

    const unresolved = await asDispatcher(() => attemptDelivery(deps, ref, new Date()));
    expect(await storedDelivery(ref)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'not sent: later.test does not resolve (ENOTFOUND)' });
    dns.answer = ['127.0.0.1'];
    await asDispatcher(() => attemptDelivery(deps, ref, new Date(unresolved.nextAttemptAt ?? '')));
    expect(await storedDelivery(ref)).toMatchObject({ attempts: 2, lastError: 'not sent: 127.0.0.1 is not a globally reachable address (loopback)' });
  });

  it.each(['https://example.com:8080/h', 'https://example.com:9999/h', 'https://93.184.216.34:8080/h'])(
    'keeps https:// to a host that is not loopback on 443 or 8443 under npm start: POST and PATCH refuse %s',
    async (url) => {
      const portRefusal = { status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'url', message: 'the port must be 443 or 8443 (another only for http:// or a loopback address)' }] } };
      expect(await call('createWebhookEndpoint', { as: opsPrincipal, body: { url } })).toMatchObject(portRefusal);
      const created = await call<{ endpoint: { id: string } }>('createWebhookEndpoint', { as: opsPrincipal, body: { url: 'https://example.com:8443/h' } });
      expect(created.status).toBe(201);
      const params = { endpointId: created.body.endpoint.id };
      expect(await call('updateWebhookEndpoint', { as: opsPrincipal, params, body: { url } })).toMatchObject(portRefusal);
      const now = await call<{ endpoint: { url: string } }>('getWebhookEndpoint', { as: opsPrincipal, params });
      expect(now.body.endpoint.url).toBe('https://example.com:8443/h');
      expect((await call('deleteWebhookEndpoint', { as: opsPrincipal, params })).status).toBe(204);
    },
  );

  it('takes http:// to any port, and https:// to a loopback address on any port, under npm start', async () => {
    for (const url of ['http://example.com:8080/h', 'https://127.0.0.1:9999/h', 'https://[::1]:8080/h']) {
      const created = await call<{ endpoint: { id: string } }>('createWebhookEndpoint', { as: opsPrincipal, body: { url } });
      expect(created.status).toBe(201);
      expect((await call('deleteWebhookEndpoint', { as: opsPrincipal, params: { endpointId: created.body.endpoint.id } })).status).toBe(204);
    }
  });

  it('never sends to a URL stored before on a port now refused, and says why in lastError', async () => {
    const dns: { answer?: string[] } = {};
    const deps = { ...clockedDeliveryDeps(), targets: { allowLocal: true, resolve: resolver(() => dns.answer) } };
    const { endpoint } = await asEndpoints(() => createWebhookEndpoint(deps, ops, { url: 'https://later.test/in' }, new Date()));
    const record = await getEndpoint(table(), vendorWebhookOwner, endpoint.id);
    if (!record) throw new Error('the endpoint was not stored');
    // As the local rules stored it before they kept https:// to 443 and 8443.
    expect(await asEndpoints(() => replaceEndpoint(table(), { ...record, url: 'https://later.test:8080/in', rev: record.rev + 1 }, record.rev))).toBe('replaced');
    const test = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    const ref = { endpointId: endpoint.id, eventId: test.body.delivery.eventId };
    const lastError = 'not sent: the port must be 443 or 8443 (another only for http:// or a loopback address)';

    const first = await asDispatcher(() => attemptDelivery(deps, ref, new Date()));
    expect(await storedDelivery(ref)).toMatchObject({ status: 'pending', attempts: 1, lastError });
    dns.answer = ['93.184.216.34'];
    await asDispatcher(() => attemptDelivery(deps, ref, new Date(first.nextAttemptAt ?? '')));
    expect(await storedDelivery(ref)).toMatchObject({ attempts: 2, lastError });
  });

  it('connects to the address it checked, without a second lookup, even when the name would resolve elsewhere next time', async () => {
    const inbox = await receiver();
    const port = new URL(inbox.url).port;
    // A rebinding resolver: loopback (allowed under npm start) the first time, the metadata address after.
    const rebinding = resolver((hostname, count) => (hostname === 'receiver.test' ? [count === 1 ? '127.0.0.1' : '169.254.169.254'] : undefined));
    const outcome = await sendWebhook({ url: `http://receiver.test:${port}/hooks`, headers: { 'content-type': 'application/json' }, body: '{}' }, { allowLocal: true, resolve: rebinding });
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(rebinding.calls).toEqual(['receiver.test']);
    expect(inbox.received).toHaveLength(1);
    expect(inbox.received[0]?.headers.host).toBe(`receiver.test:${port}`);
  });

  it("verifies the receiver's TLS certificate: a self-signed one fails the attempt", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    closers.push(() => rmSync(folder, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem')], { stdio: 'ignore' });
    let reached = 0;
    const server = createHttpsServer({ key: readFileSync(join(folder, 'key.pem')), cert: readFileSync(join(folder, 'cert.pem')) }, (_request, response) => {
      reached += 1;
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const outcome = await sendWebhook({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, headers: {}, body: '{}' }, { allowLocal: true, resolve: resolver(() => undefined) });
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('TLS failed') as unknown });
    expect(reached).toBe(0);
  });

  it('gives up on a receiver that never answers, when the attempt time runs out', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const outcome = await sendWebhook({ url, headers: {}, body: '{}' }, { allowLocal: true, resolve: resolver(() => undefined) }, 300);
    expect(outcome).toEqual({ ok: false, error: 'no answer within 0.3 seconds' });
  });
});
