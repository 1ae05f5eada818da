import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { config } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { secretBox } from '#lib/keys/process-secret-box.js';
import { secretBoxKeyFileName } from '#lib/keys/local-secret-box.js';
import { signingKeyFileName } from '#lib/keys/local-signer.js';
import { newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { FaultInjector } from '../support/fault-injection.js';
import { request, startLocalService } from '../support/http-client.js';
import { checkLedger } from '../support/ledger.js';
import { machine } from '../support/scenario.js';
import { scanTable } from '../support/table-snapshot.js';
import { startTestDispatcher } from '../support/webhooks.js';
import type { TestDispatcher } from '../support/webhooks.js';
import { startReceiver } from '../support/webhook-receiver.js';
import type { TestReceiver } from '../support/webhook-receiver.js';

// The logger's level is its initial one on every warm invocation: DEBUG must be set before it exists.
// Asking Powertools to log every event (headers, bodies, proofs) must change nothing: handlers pin it off.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
});

// A whole scenario through the local service (every route, refusals and a failing dependency
// included) with the Powertools logger at DEBUG and the server's console captured, and the webhook
// dispatcher delivering what it commits. Afterwards, no log line and no item of the table holds a secret
// that went by: API keys, license keys, DPoP proofs, offline request files, license tokens, webhook signing
// secrets, private keys, or the raw machine fingerprints.

let baseUrl: string;
let close: () => Promise<void>;
const logLines: string[] = [];
/** Every secret of the scenario, by what it is. */
const secrets = new Map<string, string>();
const opsApiKey = process.env.OPS_API_KEY ?? '';

const remember = (what: string, value: unknown) => {
  if (typeof value === 'string' && value.length >= 8) secrets.set(value, what);
};

/** Sends a request as the scenario's clients do, and remembers the secrets that go out and come back. */
async function send<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { apiKey?: string; installation?: TestInstallation; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.installation) {
    headers.dpop = await options.installation.proof(method, path.split('?')[0] ?? path);
    remember('DPoP proof', headers.dpop);
  }
  const answer = await request<T & { apiKey?: string; key?: string; token?: string }>(baseUrl, method, path, { body: options.body, headers });
  remember('API key', answer.body?.apiKey);
  remember('license key', answer.body?.key);
  remember('license token', answer.body?.token);
  return answer;
}

function captureLogs(): () => void {
  const writes = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  });
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(format(...args));
    });
  }
  return () => {
    for (const restore of writes) restore();
  };
}

let dispatcher: TestDispatcher;
let inbox: TestReceiver;
beforeAll(async () => {
  ({ baseUrl, close } = await startLocalService());
  dispatcher = await startTestDispatcher();
  inbox = await startReceiver();
});
afterAll(async () => {
  await dispatcher.stop();
  await inbox.close();
  await close();
});

describe('secrets', () => {
  it('never appear in a log line or in the table', async () => {
    const stopCapture = captureLogs();
    const answers = await scenario()
      .then(async (statuses) => {
        await dispatcher.settled();
        return statuses;
      })
      .finally(stopCapture);
    // The dispatcher delivered, signed with the secrets it keeps sealed.
    expect(inbox.received.length).toBeGreaterThan(5);
    // The capture saw the service at work: one line per request that reached a function (the local
    // authorizer refused the unknown API key before any did), and the failure logged.
    expect(logLines.filter((line) => line.includes('"message":"request"'))).toHaveLength(answers.length - 1);
    expect(logLines.some((line) => line.includes('"message":"request failed"'))).toBe(true);

    const dataDir = config().dataDir;
    const signingKey = JSON.parse(await readFile(join(dataDir, signingKeyFileName), 'utf8')) as { d: string };
    remember('signing private key', signingKey.d);
    remember('secret box key', (await readFile(join(dataDir, secretBoxKeyFileName), 'utf8')).trim());
    remember('ops API key', opsApiKey);
    const needles = [...secrets].flatMap(([secret, what]) => variantsOf(secret).map((variant) => [variant, what] as const));
    expect(needles.length).toBeGreaterThan(40);

    const leaks = (text: string) => needles.filter(([needle]) => text.includes(needle)).map(([, what]) => what);
    expect(logLines.flatMap(leaks)).toEqual([]);
    const items = await scanTable(table());
    // The one exception: an installation keeps its own recent online token, so that a heartbeat can answer it again
    // (useless without that installation's private key, which the client checks it against).
    const withoutRecentTokens = items.map(({ recentToken, ...item }) => {
      if (recentToken !== undefined) expect(JSON.parse(Buffer.from(String((recentToken as { token: string }).token.split('.')[1]), 'base64url').toString())).toMatchObject({ sub: item.id });
      return item;
    });
    expect(items.some((item) => item.recentToken !== undefined)).toBe(true);
    expect(withoutRecentTokens.flatMap((item) => leaks(JSON.stringify(item)))).toEqual([]);

    // The key an Idempotency-Key replay needs is there, sealed: it opens, and only under its license.
    const records = items.filter((item) => item.entity === 'idempotency');
    expect(records).toHaveLength(1);
    const [record] = records;
    const key = await secretBox().open(String(record?.sealedKey), { licenseId: String(record?.licenseId) });
    expect(secrets.get(key)).toBe('license key');
    await expect(secretBox().open(String(record?.sealedKey), { licenseId: 'lic_other' })).rejects.toThrow();
    expect(await checkLedger(table())).toEqual([]);

    // The webhook secrets are there, sealed: each opens only for its own endpoint.
    const endpoints = items.filter((item) => item.entity === 'webhookEndpoint');
    expect(endpoints).toHaveLength(1);
    const sealed = (endpoints[0]?.secrets as { sealed: string }[]).map((secret) => secret.sealed);
    expect(sealed).toHaveLength(2);
    const opened = await Promise.all(sealed.map((value) => secretBox().open(value, { purpose: 'webhook-secret', endpointId: String(endpoints[0]?.id) })));
    expect(opened.map((secret) => secrets.get(secret))).toEqual(['webhook secret', 'webhook secret']);
    await expect(secretBox().open(sealed[0] ?? '', { purpose: 'webhook-secret', endpointId: 'whe_other' })).rejects.toThrow();
  });
});

/**
 * The forms a secret may take in a leak: as is; a license key also without dashes and in lower case;
 * a JWS also by its payload or its signature alone (a log of the claims would print the payload).
 */
function variantsOf(secret: string): string[] {
  const variants = [secret];
  if (/^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$/.test(secret)) variants.push(secret.replaceAll('-', ''), secret.toLowerCase(), secret.replaceAll('-', '').toLowerCase());
  const parts = secret.split('.');
  if (parts.length === 3) variants.push(...parts.slice(1).filter((part) => part.length >= 16));
  // A webhook secret also without its prefix, and as the hex of its bytes.
  if (secret.startsWith('whsec_')) variants.push(secret.slice('whsec_'.length), Buffer.from(secret.slice('whsec_'.length), 'base64').toString('hex'));
  return variants;
}

/** Every route, as each kind of caller uses it, with some refusals and one failing dependency. */
async function scenario(): Promise<number[]> {
  const statuses: number[] = [];
  const step = async <T>(answer: Promise<{ status: number; body: T }>) => {
    const settled = await answer;
    statuses.push(settled.status);
    return settled.body;
  };
  const ops = opsApiKey;
  await step(send('GET', '/health'));
  await step(send('GET', '/.well-known/jwks.json'));
  const reseller = await step(send<{ apiKey: string; account: { id: string } }>('POST', '/v1/admin/resellers', { apiKey: ops, body: { name: 'Partner', email: 'sales@partner.example' } }));
  const customer = await step(send<{ apiKey: string; account: { id: string } }>('POST', '/v1/customers', { apiKey: reseller.apiKey, body: { name: 'Acme', email: 'it@acme.example' } }));
  const registered = await step(send<{ apiKey: string; account: { id: string } }>('POST', '/v1/accounts/register', { body: { name: 'Solo', email: 'solo@example.com' } }));
  await step(send('POST', '/v1/admin/associations', { apiKey: ops, body: { resellerId: reseller.account.id, customerId: registered.account.id } }));
  await step(send('DELETE', `/v1/admin/associations/${reseller.account.id}/${registered.account.id}`, { apiKey: ops }));
  await step(send('GET', '/v1/customers', { apiKey: reseller.apiKey }));

  // A webhook endpoint of the customer: its secret shown at creation and at a rotation, then used to sign what follows.
  const hooks = await step(send<{ endpoint: { id: string }; secret: string }>('POST', '/v1/webhook-endpoints', { apiKey: customer.apiKey, body: { url: inbox.url } }));
  remember('webhook secret', hooks.secret);
  const rotated = await step(send<{ secret: string }>('POST', `/v1/webhook-endpoints/${hooks.endpoint.id}/rotate-secret`, { apiKey: customer.apiKey }));
  remember('webhook secret', rotated.secret);
  await step(send('POST', `/v1/webhook-endpoints/${hooks.endpoint.id}/test`, { apiKey: customer.apiKey }));
  await step(send('GET', `/v1/webhook-endpoints/${hooks.endpoint.id}`, { apiKey: customer.apiKey }));
  await step(send('POST', '/v1/webhook-endpoints', { apiKey: customer.apiKey, body: { url: 'http://10.0.0.1/hooks' } }));

  const issue = { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 10, maxActivations: 3 };
  const idempotent = { apiKey: reseller.apiKey, body: issue, headers: { 'Idempotency-Key': randomUUID() } };
  const issued = await step(send<{ key: string; license: { id: string } }>('POST', '/v1/licenses', idempotent));
  await step(send('POST', '/v1/licenses', idempotent));
  const second = await step(send<{ key: string; license: { id: string } }>('POST', '/v1/licenses', { apiKey: ops, body: issue }));
  await step(send('GET', '/v1/licenses', { apiKey: customer.apiKey }));
  await step(send('GET', `/v1/licenses/${issued.license.id}`, { apiKey: reseller.apiKey }));
  await step(send('POST', `/v1/licenses/${second.license.id}/suspend`, { apiKey: reseller.apiKey, body: { reason: 'unpaid' } }));
  await step(send('POST', `/v1/licenses/${second.license.id}/reinstate`, { apiKey: ops }));

  const trial = await newInstallation();
  const trialMachine = machine();
  remember('fingerprint', trialMachine.fingerprint);
  await step(send('POST', '/v1/trials', { installation: trial, body: { productId: 'authserver', ...trialMachine } }));
  const installation = await newInstallation();
  const facts = machine();
  remember('fingerprint', facts.fingerprint);
  await step(send('POST', '/v1/activations', { installation, body: { key: issued.key.toLowerCase(), productId: 'authserver', ...facts } }));
  await step(send('POST', '/v1/activations', { installation, body: { key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', productId: 'authserver', ...facts } }));
  await step(send('POST', '/v1/activations', { installation, apiKey: customer.apiKey, body: { licenseId: second.license.id, productId: 'authserver', ...facts } }));
  await step(send('POST', `/v1/installations/${installation.id}/heartbeat`, { installation, body: { version: '5.1.0', usage: { activeUsers: 4 } } }));
  await step(send('POST', `/v1/installations/${installation.id}/heartbeat`, { installation, headers: { dpop: 'not-a-proof' }, body: { version: '5.1.0', usage: { activeUsers: 4 } } }));
  await step(send('GET', `/v1/installations/${installation.id}`, { installation }));
  await step(send('GET', `/v1/installations/${installation.id}`, { apiKey: customer.apiKey }));

  const offline = await newInstallation();
  const offlineMachine = machine();
  remember('fingerprint', offlineMachine.fingerprint);
  const file = await offline.sign('activation-request+jwt', { key: issued.key, productId: 'authserver', ...offlineMachine, iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
  remember('offline request file', file);
  await step(send('POST', '/v1/offline-activations', { body: { request: file } }));
  await step(send('POST', '/v1/offline-activations', { body: { request: file } }));

  // A dependency fails once: the 503 and its logged cause must not carry the request's secrets either.
  // The dispatcher shares the table's client: idle first, so that the fault meets the heartbeat's first call.
  await dispatcher.settled();
  const injector = new FaultInjector();
  injector.watch(table());
  try {
    injector.arm({ kind: 'throttled', at: 0 });
    await step(send('POST', `/v1/installations/${installation.id}/heartbeat`, { installation, body: { version: '5.1.0', usage: { activeUsers: 5 } } }));
  } finally {
    injector.remove();
  }

  await step(send('DELETE', `/v1/installations/${installation.id}/activations/${issued.license.id}`, { installation }));
  await step(send('DELETE', `/v1/installations/${installation.id}/activations/${second.license.id}`, { apiKey: customer.apiKey }));
  await step(send('POST', `/v1/licenses/${second.license.id}/revoke`, { apiKey: reseller.apiKey }));
  await step(send('GET', `/v1/licenses/${issued.license.id}/events`, { apiKey: customer.apiKey }));
  await step(send('GET', `/v1/customers/${customer.account.id}/events`, { apiKey: reseller.apiKey }));
  await step(send('GET', '/v1/customers', { apiKey: 'lak_not-a-key' }));
  remember('API key', customer.apiKey);
  remember('API key', reseller.apiKey);
  remember('API key', registered.apiKey);
  expect(statuses.filter((status) => status >= 500)).toEqual([503]);
  return statuses;
}
