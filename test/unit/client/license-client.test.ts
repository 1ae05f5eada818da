import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LicenseClientError, LicenseNetworkError } from '../../../packages/client/src/errors.js';
import { LicenseClient } from '../../../packages/client/src/license-client.js';
import type { LicenseClientOptions } from '../../../packages/client/src/license-client.js';
import { StateStore } from '../../../packages/client/src/state-store.js';
import { verifyDpopProof } from '#lib/auth/dpop.js';
import { verifySelfSignedJws } from '#lib/auth/proof-of-possession.js';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { ActivationInput, HeartbeatInput, OfflineRequestClaims, TrialInput } from '@license-activation/contract/schemas';
import { daySeconds, fixtureProbes, licenseClaims, now, nowSeconds, physicalMachine, testInstallation, testSigner } from './client-fixtures.js';
import type { TestInstallation, TestSigner } from './client-fixtures.js';

interface ReceivedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** A stand-in for the service: records each request and answers with `answer`. */
function fakeService(answer: (request: ReceivedRequest) => Response | Promise<Response>) {
  const requests: ReceivedRequest[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value]));
    const request = { method: init?.method ?? 'GET', url: new URL(String(input)), headers, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    requests.push(request);
    return answer(request);
  };
  return { fetch: fetchImpl, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const problem = (status: number, code: string, detail: string, headers: Record<string, string> = {}) =>
  json(status, { type: `urn:license-activation:problem:${code.toLowerCase()}`, title: code, status, detail, code, requestId: 'req-1' }, { 'content-type': 'application/problem+json', ...headers });

let vendor: TestSigner;
let installation: TestInstallation;
let stateDir: string;

beforeAll(async () => {
  vendor = await testSigner();
  installation = await testInstallation();
});

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'client-'));
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function clientWith(fetchImpl: typeof fetch, overrides: Partial<LicenseClientOptions> = {}): LicenseClient {
  return new LicenseClient({
    productId: 'authserver',
    productVersion: '5.0.0',
    stateDir,
    pinnedKeys: vendor.jwks,
    serverUrl: 'https://licensing.example.com/prod',
    keyStore: installation.keyStore,
    clock: () => now,
    fetch: fetchImpl,
    machineProbes: physicalMachine,
    delay: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
}

/** The waits the client asked for (its clock stands still here). */
let delays: number[] = [];
beforeEach(() => {
  delays = [];
});

const installationView = () => ({
  id: installation.installationId, productId: 'authserver', hostname: 'srv-01.example', version: '5.0.0', virtual: false,
  createdAt: now.toISOString(), lastSeenAt: now.toISOString(), activations: [],
});
const activationView = { id: 'act_1', licenseId: 'lic_users', installationId: 'x', createdAt: now.toISOString() };

const tokenFor = (overrides: Partial<LicenseTokenClaims> = {}) => vendor.sign(licenseClaims(installation.installationId, overrides));

describe('LicenseClient online calls', () => {
  it('starts a trial with a DPoP proof the service accepts for this installation, and stores the verified token', async () => {
    // Prepare
    const token = await tokenFor({ trial: { endsAt: nowSeconds + 90 * daySeconds }, licenses: [] });
    const service = fakeService(() => json(201, { token, installation: installationView() }));
    const client = clientWith(service.fetch);

    // Act
    await client.trial();

    // Assess
    const [request] = service.requests;
    expect(request?.url.href).toBe('https://licensing.example.com/prod/v1/trials');
    const principal = await verifyDpopProof(request?.headers.dpop, { method: 'POST', url: 'https://licensing.example.com/prod/v1/trials' }, now);
    expect(principal.id).toBe(installation.installationId);
    expect(TrialInput.parse(request?.body)).toEqual({ productId: 'authserver', fingerprint: expect.any(String), hostname: 'srv-01.example', version: '5.0.0', virtual: false });
    expect(await client.status()).toMatchObject({ mode: 'full', trialEndsAt: new Date((nowSeconds + 90 * daySeconds) * 1000).toISOString() });
  });

  it('activates a key, sending what the contract asks for', async () => {
    const service = fakeService(async () => json(201, { token: await tokenFor(), installation: installationView(), activation: activationView }));
    const client = clientWith(service.fetch);

    const answer = await client.activate('ABCDE-FGHJK-MNPQR-STVWX-YZ012');

    expect(answer.activation.licenseId).toBe('lic_users');
    expect(ActivationInput.parse(service.requests[0]?.body)).toMatchObject({ key: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012', productId: 'authserver' });
    expect(await client.status()).toMatchObject({ mode: 'full', seats: { users: 50, consumed: 3 } });
  });

  it('activates a license on behalf of an account with its API key and the proof', async () => {
    const service = fakeService(async () => json(201, { token: await tokenFor(), installation: installationView(), activation: activationView }));

    await clientWith(service.fetch).activateFor({ apiKey: 'customer-api-key' }, 'lic_users', 'acc_customer');

    const [request] = service.requests;
    expect(request?.headers.authorization).toBe('Bearer customer-api-key');
    expect(request?.headers.dpop).toBeDefined();
    expect(ActivationInput.parse(request?.body)).toMatchObject({ licenseId: 'lic_users', customerId: 'acc_customer' });
  });

  it('heartbeats to its own installation path with the usage', async () => {
    const service = fakeService(async () => json(200, { token: await tokenFor() }));

    await clientWith(service.fetch).heartbeat({ activeUsers: 12 });

    const [request] = service.requests;
    const path = `/v1/installations/${installation.installationId}/heartbeat`;
    expect(request?.url.pathname).toBe(`/prod${path}`);
    await expect(verifyDpopProof(request?.headers.dpop, { method: 'POST', url: `https://licensing.example.com/prod${path}`, installationId: installation.installationId }, now)).resolves.toBeDefined();
    expect(HeartbeatInput.parse(request?.body)).toEqual({ version: '5.0.0', usage: { activeUsers: 12 } });
  });

  it('releases a license, then stores the fresh token that no longer grants it', async () => {
    const limited = await tokenFor({ mode: 'limited', limited: { reasons: ['NOT_ACTIVATED'], restricted: ['reporting'] }, features: ['admin-login'], licenses: [] });
    const service = fakeService((request) => (request.method === 'DELETE' ? new Response(null, { status: 204 }) : json(200, { installation: installationView(), token: limited })));
    const client = clientWith(service.fetch);

    await client.release('lic_users');

    expect(service.requests.map((request) => `${request.method} ${request.url.pathname}`)).toEqual([
      `DELETE /prod/v1/installations/${installation.installationId}/activations/lic_users`,
      `GET /prod/v1/installations/${installation.installationId}`,
    ]);
    expect(await client.status()).toMatchObject({ mode: 'limited', reasons: ['NOT_ACTIVATED'] });
  });

  it('throws the service\'s problem as a LicenseClientError with its code, status, detail and Retry-After', async () => {
    const service = fakeService(() => problem(429, 'RATE_LIMITED', 'too many failed key activations', { 'retry-after': '540' }));

    const failure = await clientWith(service.fetch).activate('ABCDE-FGHJK-MNPQR-STVWX-YZ012').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(LicenseClientError);
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', status: 429, detail: 'too many failed key activations', retryAfterSeconds: 540, requestId: 'req-1' });
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const at = new Date(now.getTime() + 90_000).toUTCString();
    const service = fakeService(() => problem(503, 'UNAVAILABLE', 'a dependency is unavailable, retry later', { 'retry-after': at }));

    await expect(clientWith(service.fetch).heartbeat({ activeUsers: 0 })).rejects.toMatchObject({ code: 'UNAVAILABLE', retryAfterSeconds: 90 });
  });

  it('throws a LicenseNetworkError when the service cannot be reached', async () => {
    const unreachable: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));

    const failure = await clientWith(unreachable).heartbeat({ activeUsers: 0 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(LicenseNetworkError);
    expect(failure).toMatchObject({ code: 'NETWORK_ERROR', status: undefined });
  });

  it('throws UNEXPECTED_RESPONSE for an answer that is not the contract\'s, such as a proxy error page', async () => {
    const service = fakeService(() => new Response('<html>Bad Gateway</html>', { status: 502 }));

    await expect(clientWith(service.fetch).heartbeat({ activeUsers: 0 })).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 });
  });

  it.each([
    ['a token for another installation', async () => vendor.sign(licenseClaims((await testInstallation()).installationId))],
    ['a token signed by an unknown key', async () => (await testSigner('unknown-key')).sign(licenseClaims(installation.installationId))],
    ['an expired token', async () => tokenFor({ iat: nowSeconds - 40 * daySeconds, exp: nowSeconds - 10 * daySeconds, refreshAfter: nowSeconds - 39 * daySeconds })],
  ])('refuses %s from the service and stores nothing', async (_, token) => {
    const service = fakeService(async () => json(200, { token: await token() }));
    const client = clientWith(service.fetch);

    await expect(client.heartbeat({ activeUsers: 0 })).rejects.toMatchObject({ code: 'TOKEN_REJECTED' });
    expect(await new StateStore(stateDir).read()).not.toHaveProperty('token');
    expect((await client.status()).reasons).toEqual(['NOT_ACTIVATED']);
  });

  it('refuses a plain-HTTP service other than this machine', () => {
    expect(() => clientWith(fetch, { serverUrl: 'http://licensing.example.com' })).toThrow(/HTTPS/);
    expect(() => clientWith(fetch, { serverUrl: 'http://127.0.0.1:3000' })).not.toThrow();
  });

  it('refuses online calls without a service URL', async () => {
    await expect(clientWith(fetch, { serverUrl: undefined }).trial()).rejects.toThrow(/no serverUrl/);
  });
});

describe('LicenseClient chain (API.md §10)', () => {
  const answerWith = (token: string) => json(200, { token });
  const activationAnswer = async (token: string) => json(201, { token, installation: installationView(), activation: activationView });
  const heartbeatsOf = (requests: readonly ReceivedRequest[]) => requests.filter((request) => request.url.pathname.endsWith('/heartbeat'));

  async function activatedClient(service: ReturnType<typeof fakeService>, chain = 'chain-of-the-activation-000') {
    const client = clientWith(service.fetch);
    await client.importLicenseFile(await tokenFor({ chain, iat: nowSeconds - 60 }));
    return client;
  }

  it('presents the chain of its newest token with an Idempotency-Key saved before the heartbeat is sent, and settles it with the answer', async () => {
    // Prepare
    let savedWhileSending: unknown;
    const next = await tokenFor({ chain: 'chain-of-the-heartbeat-0000', iat: nowSeconds });
    const service = fakeService(async () => {
      savedWhileSending = (await new StateStore(stateDir).read()).pending;
      return answerWith(next);
    });
    const client = await activatedClient(service);

    // Act
    await client.heartbeat({ activeUsers: 4 });

    // Assess
    const [sent] = heartbeatsOf(service.requests);
    expect(HeartbeatInput.parse(sent?.body)).toEqual({ version: '5.0.0', usage: { activeUsers: 4 }, chain: 'chain-of-the-activation-000' });
    expect(sent?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(savedWhileSending).toEqual({ kind: 'heartbeat', key: sent?.headers['idempotency-key'], body: sent?.body });
    const state = await new StateStore(stateDir).read();
    expect(state.token).toBe(next);
    expect(state.pending).toBeUndefined();
  });

  it('sends a heartbeat whose answer was lost again, unchanged, after a restart too', async () => {
    let lose = true;
    const service = fakeService(async () => {
      if (lose) throw new TypeError('connection reset');
      return answerWith(await tokenFor({ chain: 'chain-of-the-heartbeat-0000', iat: nowSeconds }));
    });
    await expect((await activatedClient(service)).heartbeat({ activeUsers: 4 })).rejects.toBeInstanceOf(LicenseNetworkError);

    // A new process, another count of users: the pending heartbeat goes again as it was.
    lose = false;
    await clientWith(service.fetch).heartbeat({ activeUsers: 9 });

    const [first, retry] = heartbeatsOf(service.requests);
    expect(retry?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(retry?.body).toEqual(first?.body);
    expect((await new StateStore(stateDir).read()).pending).toBeUndefined();
  });

  it('sends a heartbeat whose answer was lost again, unchanged, even once a newer token came another way', async () => {
    // Its own answer tells whether it forked the head the activation's token carries: that answer is newer still.
    const service = fakeService(async (request) => {
      if (request.url.pathname.endsWith('/heartbeat') && heartbeatsOf(service.requests).length === 1) throw new TypeError('connection reset');
      if (request.url.pathname.endsWith('/activations')) return activationAnswer(await tokenFor({ chain: 'chain-of-a-new-activation', iat: nowSeconds }));
      return answerWith(await tokenFor({ chain: 'chain-after-the-heartbeat', iat: nowSeconds + 1 }));
    });
    const client = await activatedClient(service);
    await expect(client.heartbeat({ activeUsers: 4 })).rejects.toBeInstanceOf(LicenseNetworkError);
    await client.activate('ABCDE-FGHJK-MNPQR-STVWX-YZ012');

    await client.heartbeat({ activeUsers: 5 });
    await client.heartbeat({ activeUsers: 6 });

    const [lost, again, next] = heartbeatsOf(service.requests);
    expect(again).toMatchObject({ body: lost?.body, headers: { 'idempotency-key': lost?.headers['idempotency-key'] } });
    expect(next?.headers['idempotency-key']).not.toBe(lost?.headers['idempotency-key']);
    expect(next?.body).toEqual({ version: '5.0.0', usage: { activeUsers: 6 }, chain: 'chain-after-the-heartbeat' });
  });

  it('sends a restore whose answer was lost again, with the chain it presented, before a heartbeat', async () => {
    let lose = true;
    const service = fakeService(async (request) => {
      if (request.method === 'GET' && lose) throw new TypeError('connection reset');
      if (request.method === 'GET') return json(200, { installation: installationView(), token: await tokenFor({ chain: 'chain-of-the-restore-00000', iat: nowSeconds + 2 }) });
      return answerWith(await tokenFor({ chain: 'chain-of-the-heartbeat-0000', iat: nowSeconds + 3 }));
    });
    const client = await activatedClient(service);
    await expect(client.restore()).rejects.toBeInstanceOf(LicenseNetworkError);
    lose = false;

    await client.heartbeat({ activeUsers: 1 });

    expect(service.requests.map((request) => `${request.method} ${request.url.search}${request.url.pathname.split('/').at(-1)}`)).toEqual([
      `GET ?chain=chain-of-the-activation-000${installation.installationId}`,
      `GET ?chain=chain-of-the-activation-000${installation.installationId}`,
      'POST heartbeat',
    ]);
    expect(HeartbeatInput.parse(service.requests[2]?.body).chain).toBe('chain-of-the-restore-00000');
  });

  it('keeps the token with the newest iat when an older answer arrives after it', async () => {
    const service = fakeService(async () => answerWith(await tokenFor({ chain: 'an-older-token-chain-0000', iat: nowSeconds - 3600 })));
    const client = await activatedClient(service);
    const held = (await new StateStore(stateDir).read()).token;

    await client.heartbeat({ activeUsers: 4 });

    const state = await new StateStore(stateDir).read();
    expect(state.token).toBe(held);
    expect(state.pending).toBeUndefined();
  });

  it('settles a heartbeat still waiting for its answer before a restore, then presents the chain it got', async () => {
    let lose = true;
    const service = fakeService(async (request) => {
      if (request.method === 'GET') return json(200, { installation: installationView(), token: await tokenFor({ chain: 'chain-of-the-restore-00000', iat: nowSeconds + 2 }) });
      if (lose) throw new TypeError('connection reset');
      return answerWith(await tokenFor({ chain: 'chain-of-the-heartbeat-0000', iat: nowSeconds }));
    });
    const client = await activatedClient(service);
    await expect(client.heartbeat({ activeUsers: 4 })).rejects.toBeInstanceOf(LicenseNetworkError);
    lose = false;

    await client.restore();

    expect(service.requests.map((request) => `${request.method} ${request.url.pathname.split('/').at(-1)}${request.url.search}`)).toEqual([
      'POST heartbeat',
      'POST heartbeat',
      `GET ${installation.installationId}?chain=chain-of-the-heartbeat-0000`,
    ]);
    expect(service.requests[1]?.headers['idempotency-key']).toBe(service.requests[0]?.headers['idempotency-key']);
    // The restore presents a newer chain than the heartbeat did: it waits until every copy of that heartbeat has been judged.
    expect(delays).toEqual([15_000]);
    // The proof names the URL without its query (RFC 9449).
    const path = `/v1/installations/${installation.installationId}`;
    await expect(verifyDpopProof(service.requests[2]?.headers.dpop, { method: 'GET', url: `https://licensing.example.com/prod${path}`, installationId: installation.installationId }, now)).resolves.toBeDefined();
  });

  it.each([
    [422, 'IDEMPOTENCY_KEY_REUSED'],
    [400, 'VALIDATION_FAILED'],
  ])('settles a heartbeat refused %i %s: the next one is new', async (status, code) => {
    let refuse = true;
    const service = fakeService(async () => (refuse ? problem(status, code, 'no') : answerWith(await tokenFor({ chain: 'chain-of-the-heartbeat-0000', iat: nowSeconds }))));
    const client = await activatedClient(service);
    await expect(client.heartbeat({ activeUsers: 4 })).rejects.toMatchObject({ code });
    refuse = false;

    await client.heartbeat({ activeUsers: 4 });

    const [refused, next] = heartbeatsOf(service.requests);
    expect(next?.headers['idempotency-key']).not.toBe(refused?.headers['idempotency-key']);
  });

  it('sends one presentation at a time: restores and heartbeats called at once go one after the other', async () => {
    let onItsWay = 0;
    let most = 0;
    let issued = 0;
    const service = fakeService(async (request) => {
      onItsWay += 1;
      most = Math.max(most, onItsWay);
      await new Promise((resolve) => setTimeout(resolve, 5));
      onItsWay -= 1;
      const token = await tokenFor({ chain: 'chain-of-the-activation-000', iat: nowSeconds + (issued += 1) });
      return request.method === 'GET' ? json(200, { installation: installationView(), token }) : answerWith(token);
    });
    const client = await activatedClient(service);

    await Promise.all([client.restore(), client.restore(), client.heartbeat({ activeUsers: 1 }), client.restore()]);

    expect(most).toBe(1);
    expect(service.requests).toHaveLength(4);
  });

  it('presents the chain it holds again at once: only a newer chain waits', async () => {
    const service = fakeService(async () => answerWith(await tokenFor({ chain: 'chain-of-the-activation-000', iat: nowSeconds })));
    const client = await activatedClient(service);
    await client.heartbeat({ activeUsers: 1 });
    await client.heartbeat({ activeUsers: 1 });
    await client.restore().catch(() => undefined);
    expect(delays).toEqual([]);
  });

  it('keeps a heartbeat refused for a while (503) pending, to send again', async () => {
    const service = fakeService(() => problem(503, 'UNAVAILABLE', 'busy', { 'retry-after': '1' }));
    const client = await activatedClient(service);
    await expect(client.heartbeat({ activeUsers: 4 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(client.heartbeat({ activeUsers: 8 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const [first, second] = heartbeatsOf(service.requests);
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
  });
});

describe('LicenseClient key rotation', () => {
  it('accepts a token of a rotated key the service publishes, with fetchServerKeys on', async () => {
    const rotated = await testSigner('rotated-key');
    const token = await rotated.sign(licenseClaims(installation.installationId));
    const service = fakeService((request) => (request.url.pathname.endsWith('/.well-known/jwks.json') ? json(200, rotated.jwks) : json(200, { token })));
    const client = clientWith(service.fetch, { fetchServerKeys: true });

    await client.heartbeat({ activeUsers: 0 });

    expect((await client.status()).mode).toBe('full');
    expect(service.requests.find((request) => request.url.pathname.endsWith('jwks.json'))?.headers.dpop).toBeUndefined();
  });

  it('never lets a fetched key stand in for a pinned one', async () => {
    const impostor = await testSigner(vendor.kid);
    const token = await impostor.sign(licenseClaims(installation.installationId));
    const service = fakeService((request) => (request.url.pathname.endsWith('/.well-known/jwks.json') ? json(200, impostor.jwks) : json(200, { token })));

    await expect(clientWith(service.fetch, { fetchServerKeys: true }).heartbeat({ activeUsers: 0 })).rejects.toMatchObject({ code: 'TOKEN_REJECTED' });
  });

  it('fetches no keys unless told to', async () => {
    const rotated = await testSigner('rotated-key');
    const token = await rotated.sign(licenseClaims(installation.installationId));
    const service = fakeService((request) => (request.url.pathname.endsWith('/.well-known/jwks.json') ? json(200, rotated.jwks) : json(200, { token })));

    await expect(clientWith(service.fetch).heartbeat({ activeUsers: 0 })).rejects.toMatchObject({ code: 'TOKEN_REJECTED' });
    expect(service.requests).toHaveLength(1);
  });
});

describe('LicenseClient offline', () => {
  const offline = fakeService(() => {
    throw new Error('an offline call must not reach the network');
  });

  it('writes a request file with this machine\'s facts that the service\'s verifier accepts', async () => {
    const client = clientWith(offline.fetch);

    const file = await client.createRequestFile('ABCDE-FGHJK-MNPQR-STVWX-YZ012');

    const { payload, thumbprint } = await verifySelfSignedJws(file, 'activation-request+jwt', now);
    expect(thumbprint).toBe(installation.installationId);
    expect(OfflineRequestClaims.parse(payload)).toMatchObject({ productId: 'authserver', fingerprint: (await client.machineFacts()).fingerprint, hostname: 'srv-01.example', virtual: false });
  });

  it('imports a license file and judges the installation by it', async () => {
    const licenseFile = JSON.stringify({ token: await tokenFor({ exp: nowSeconds + 365 * daySeconds, refreshAfter: nowSeconds + 365 * daySeconds }) });
    const client = clientWith(offline.fetch);

    await client.importLicenseFile(licenseFile);

    expect(await client.status()).toMatchObject({ mode: 'full', warnings: [] });
  });

  it('refuses a license file older than the token it has, so an old file cannot undo a suspension', async () => {
    const client = clientWith(offline.fetch);
    const oldFile = await tokenFor({ iat: nowSeconds - 2 * daySeconds, exp: nowSeconds + 300 * daySeconds });
    await client.importLicenseFile(await tokenFor({ mode: 'limited', limited: { reasons: ['LICENSE_SUSPENDED'], restricted: ['reporting'] }, features: ['admin-login'] }));

    await expect(client.importLicenseFile(oldFile)).rejects.toMatchObject({ code: 'TOKEN_REJECTED', detail: expect.stringMatching(/older/) });
    expect((await client.status()).reasons).toEqual(['LICENSE_SUSPENDED']);
  });

  it('refuses a license file of another installation and stores nothing', async () => {
    const client = clientWith(offline.fetch);

    await expect(client.importLicenseFile(await vendor.sign(licenseClaims('another-installation')))).rejects.toMatchObject({ code: 'TOKEN_REJECTED' });
    expect(await new StateStore(stateDir).read()).not.toHaveProperty('token');
  });

  it('judges a stored token that was tampered with on disk INVALID_TOKEN', async () => {
    const client = clientWith(offline.fetch);
    await client.importLicenseFile(await tokenFor());
    const store = new StateStore(stateDir);
    await store.update((state) => ({ ...state, token: (state.token ?? '').replace(/\.[^.]+$/, '.AAAA') }));

    expect(await client.status()).toMatchObject({ mode: 'limited', reasons: ['INVALID_TOKEN'], tokenProblem: { problem: 'BAD_SIGNATURE' } });
    expect(await client.can('reporting')).toBe(false);
    expect(await client.can('admin-login')).toBe(true);
  });

  it('answers can() from the stored token', async () => {
    const client = clientWith(offline.fetch);
    await client.importLicenseFile(await tokenFor({ features: ['admin-login', 'reporting'] }));

    expect(await client.can('reporting')).toBe(true);
    expect(await client.can('user-provisioning')).toBe(false);
  });
});

describe('LicenseClient clock', () => {
  const offline = fakeService(() => json(500, {}));

  it('remembers the latest time seen across restarts, and calls a clock set back CLOCK_TAMPERED', async () => {
    await clientWith(offline.fetch).importLicenseFile(await tokenFor());
    await clientWith(offline.fetch, { clock: () => new Date(now.getTime() + 3 * 3_600_000) }).status();

    const afterRestart = await clientWith(offline.fetch, { clock: () => new Date(now.getTime() + 3_600_000) }).status();

    expect(afterRestart).toMatchObject({ mode: 'limited', reasons: ['CLOCK_TAMPERED'] });
  });

  it('treats the issue time of an imported token as a time seen', async () => {
    const client = clientWith(offline.fetch, { clock: () => new Date(now.getTime() - daySeconds * 1000) });
    const issuedAfterTheClock = await tokenFor({ iat: nowSeconds, exp: nowSeconds + 30 * daySeconds });

    await client.importLicenseFile(issuedAfterTheClock);

    expect((await client.status()).reasons).toEqual(['CLOCK_TAMPERED']);
  });

  it('recovers from a clock once set far ahead when the service answers again', async () => {
    // Prepare: a status taken while the clock was a year ahead.
    await clientWith(offline.fetch, { clock: () => new Date(now.getTime() + 365 * daySeconds * 1000) }).status();
    const service = fakeService(async () => json(200, { token: await tokenFor({ iat: nowSeconds }) }));
    const client = clientWith(service.fetch);
    expect((await client.status()).reasons).toEqual(['NOT_ACTIVATED', 'CLOCK_TAMPERED']);

    // Act
    await client.heartbeat({ activeUsers: 0 });

    // Assess
    expect(await client.status()).toMatchObject({ mode: 'full', reasons: [] });
  });

  it('writes the latest time seen at most once a minute, not on every status', async () => {
    let time = now.getTime();
    const client = clientWith(offline.fetch, { clock: () => new Date(time) });
    await client.status();
    const written = await new StateStore(stateDir).read();

    time += 30_000;
    await client.status();
    const halfAMinuteLater = await new StateStore(stateDir).read();
    time += 60_000;
    await client.status();

    expect(halfAMinuteLater.highestTimeSeen).toBe(written.highestTimeSeen);
    expect((await new StateStore(stateDir).read()).highestTimeSeen).toBe(time);
  });
});

describe('LicenseClient machine facts', () => {
  it('keeps a random id in the state directory on a machine without a machine id, the same for every run', async () => {
    const noMachineId = fixtureProbes();
    const first = await clientWith(fetch, { machineProbes: noMachineId }).machineFacts();

    const second = await clientWith(fetch, { machineProbes: noMachineId }).machineFacts();

    expect(first.fingerprintSource).toBe('state-dir');
    expect(second.fingerprint).toBe(first.fingerprint);
    expect((await new StateStore(stateDir).read()).fallbackMachineId).toEqual(expect.any(String));
  });

  it('creates its key file in the state directory when no key store is given', async () => {
    const client = new LicenseClient({ productId: 'authserver', productVersion: '5.0.0', stateDir, pinnedKeys: vendor.jwks, clock: () => now, machineProbes: physicalMachine });

    const installationId = await client.installationId();

    expect(installationId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await readdir(stateDir)).toContain('installation-key.json');
  });
});
