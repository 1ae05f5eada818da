import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { Activation, AuditEvent, Installation, License } from '@license-activation/contract/schemas';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { getInstallation } from '#lib/data/installations.js';
import { getLicense } from '#lib/data/licenses.js';
import { heartbeat as recordHeartbeat } from '#lib/installations/heartbeat.js';
import { call, eventFor, newInstallation, send } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../support/scenario.js';
import { verifyLicenseToken } from '../support/tokens.js';
import { activateAt, at, heartbeatAt, installationId, outcome } from '../support/clocked.js';

const day = 24 * 60 * 60 * 1000;

afterEach(() => {
  vi.useRealTimers();
});

interface Activated {
  token: string;
  installation: Installation;
  activation: Activation;
}

const activate = (installation: TestInstallation, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call<Activated>('activate', { installation, body, headers });

const heartbeat = (installation: TestInstallation, activeUsers = 0, version = '5.0.0') =>
  call<{ token: string }>('heartbeat', { installation, params: { installationId: installation.id }, body: { version, usage: { activeUsers } } });

async function activationItems(licenseId: string): Promise<number> {
  const { Items = [] } = await table().client.send(
    new QueryCommand({
      TableName: table().name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :activation)',
      ExpressionAttributeValues: { ':pk': `LICENSE#${licenseId}`, ':activation': 'ACTIVATION#' },
      ConsistentRead: true,
    }),
  );
  return Items.length;
}

describe('POST /v1/trials', () => {
  it("answers a repeat whose token changes the installation's mode, and records the change in the customer's feed", async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 3 });
    const installation = await newInstallation();
    expect((await activate(installation, { key, productId: 'authserver', ...machine() })).status).toBe(201);
    expect((await call('releaseActivation', { installation, params: { installationId: installation.id, licenseId: license.id } })).status).toBe(204);

    const repeat = await call<{ token: string }>('startTrial', { installation, body: { productId: 'authserver', ...machine() } });

    expect(repeat.status).toBe(200);
    expect(await verifyLicenseToken(repeat.body.token, 'authserver')).toMatchObject({ mode: 'limited', limited: { reasons: ['NOT_ACTIVATED'] } });
    const feed = await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: opsPrincipal, params: { customerId: customer.account.id } });
    expect(feed.body.items.filter((event) => event.type === 'installation.mode_changed').map((event) => event.data)).toEqual([
      { from: { mode: 'full', reasons: [] }, to: { mode: 'limited', reasons: ['NOT_ACTIVATED'] } },
    ]);
  });

  it('starts a 90-day authserver trial with 25 seats and a token that verifies with the JWKS alone', async () => {
    const installation = await newInstallation();
    const answer = await call<{ token: string; installation: Installation }>('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    expect(answer.status).toBe(201);
    expect(answer.body.installation).toMatchObject({ id: installation.id, productId: 'authserver', activations: [], trial: { startedAt: expect.any(String), endsAt: expect.any(String) } });
    const { trial } = answer.body.installation;
    expect(Date.parse(trial?.endsAt ?? '') - Date.parse(trial?.startedAt ?? '')).toBe(90 * day);
    const claims = await verifyLicenseToken(answer.body.token, 'authserver');
    expect(claims).toMatchObject({
      sub: installation.id,
      cnf: { jkt: installation.id },
      mode: 'full',
      seats: { users: 25, consumed: 0 },
      trial: { endsAt: Math.floor(Date.parse(trial?.endsAt ?? '') / 1000) },
      licenses: [],
      warnings: [],
    });
    expect(claims.exp - claims.iat).toBe(30 * 24 * 60 * 60);
    expect(claims.refreshAfter - claims.iat).toBe(24 * 60 * 60);
    expect(claims.customerId).toBeUndefined();
  });

  it('issues tokens that fail verification once tampered with', async () => {
    const installation = await newInstallation();
    const answer = await call<{ token: string }>('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    const [header, payload, signature] = answer.body.token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, seats: { users: 10_000, consumed: 0 } })).toString('base64url');
    await expect(verifyLicenseToken(`${header}.${forged}.${signature}`, 'authserver')).rejects.toThrow(/signature verification failed/);
    await expect(verifyLicenseToken(answer.body.token, 'vault')).rejects.toThrow(/aud/);
  });

  it('answers the existing trial to a second call, expired or not, never a fresh one', async () => {
    const installation = await newInstallation();
    const body = { productId: 'authserver', ...machine() };
    const first = await call<{ installation: Installation }>('startTrial', { installation, body });
    const again = await call<{ installation: Installation }>('startTrial', { installation, body });
    expect(again.status).toBe(200);
    expect(again.body.installation.trial).toEqual(first.body.installation.trial);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 100 * day });
    const expired = await call<{ token: string; installation: Installation }>('startTrial', { installation, body });
    expect(expired.status).toBe(200);
    expect(expired.body.installation.trial).toEqual(first.body.installation.trial);
    expect(await verifyLicenseToken(expired.body.token, 'authserver')).toMatchObject({ mode: 'limited', limited: { reasons: ['TRIAL_EXPIRED'] } });
  });

  it('refuses a second trial on the same machine from another installation', async () => {
    const facts = machine();
    await call('startTrial', { installation: await newInstallation(), body: { productId: 'vault', ...facts } });
    const answer = await call('startTrial', { installation: await newInstallation(), body: { productId: 'vault', ...facts } });
    expect(answer).toMatchObject({ status: 409, body: { code: 'TRIAL_ALREADY_USED' } });
    const otherProduct = await call('startTrial', { installation: await newInstallation(), body: { productId: 'authserver', ...facts } });
    expect(otherProduct.status).toBe(201);
  });

  it('gives one trial to concurrent requests from one machine', async () => {
    const facts = machine();
    const installations = await Promise.all(Array.from({ length: 6 }, newInstallation));
    const answers = await Promise.all(installations.map((installation) => call('startTrial', { installation, body: { productId: 'authserver', ...facts } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('refuses a trial of a product that has none, and an unknown product', async () => {
    expect(await call('startTrial', { installation: await newInstallation(), body: { productId: 'modeler', ...machine() } })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await call('startTrial', { installation: await newInstallation(), body: { productId: 'nope', ...machine() } })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('puts an expired trial in limited mode with only admin-login and activation left', async () => {
    const installation = await newInstallation();
    await call('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 91 * day });
    const answer = await heartbeat(installation);
    expect(answer.status).toBe(200);
    const claims = await verifyLicenseToken(answer.body.token, 'authserver');
    expect(claims.mode).toBe('limited');
    expect(claims.limited?.reasons).toEqual(['TRIAL_EXPIRED']);
    expect(claims.features).toEqual(['admin-login', 'activation']);
    expect(claims.limited?.restricted).not.toContain('admin-login');
    expect(claims.limited?.restricted.length).toBeGreaterThan(0);
  });
});

describe('DPoP proofs', () => {
  it.each([
    ['no proof', async () => ({}), 'UNAUTHENTICATED'],
    ['a proof that is not a JWS', async () => ({ DPoP: 'not-a-jws' }), 'INVALID_PROOF'],
    ['a proof for another method', async (installation: TestInstallation) => ({ DPoP: await installation.proof('GET', '/v1/trials') }), 'INVALID_PROOF'],
    ['a proof for another URL', async (installation: TestInstallation) => ({ DPoP: await installation.proof('POST', '/v1/activations') }), 'INVALID_PROOF'],
    ['a proof issued 10 minutes ago', async (installation: TestInstallation) => ({ DPoP: await installation.proof('POST', '/v1/trials', { iat: Math.floor(Date.now() / 1000) - 600 }) }), 'PROOF_EXPIRED'],
    ['a proof issued in the future', async (installation: TestInstallation) => ({ DPoP: await installation.proof('POST', '/v1/trials', { iat: Math.floor(Date.now() / 1000) + 600 }) }), 'PROOF_EXPIRED'],
    ['a proof without jti', async (installation: TestInstallation) => ({ DPoP: await installation.sign('dpop+jwt', { htm: 'POST', htu: 'http://x/v1/trials', iat: Math.floor(Date.now() / 1000) }) }), 'INVALID_PROOF'],
    ['a proof of another type', async (installation: TestInstallation) => ({ DPoP: await installation.sign('JWT', { jti: 'a', htm: 'POST', htu: 'http://x/v1/trials', iat: Math.floor(Date.now() / 1000) }) }), 'INVALID_PROOF'],
  ])('answers 401 to %s', async (_, headers, code) => {
    const installation = await newInstallation();
    const answer = await call('startTrial', { headers: await headers(installation), body: { productId: 'authserver', ...machine() } });
    expect(answer).toMatchObject({ status: 401, body: { code } });
  });

  // htu is the whole URL under PUBLIC_BASE_URL (test setup: http://127.0.0.1:3000), not a path suffix.
  it.each([
    ['another host', 'https://api.other-vendor.example/v1/trials'],
    ['another scheme', 'https://127.0.0.1:3000/v1/trials'],
    ['another port', 'http://127.0.0.1:3001/v1/trials'],
    ['a longer path with the same ending', 'http://127.0.0.1:3000/other/v1/trials'],
  ])('answers 401 INVALID_PROOF to a proof for %s', async (_, htu) => {
    const installation = await newInstallation();
    const DPoP = await installation.proof('POST', '/v1/trials', { htu });
    const answer = await call('startTrial', { headers: { DPoP }, body: { productId: 'authserver', ...machine() } });
    expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_PROOF' } });
  });

  it('ignores the query and fragment of htu, and the case of its scheme and host', async () => {
    const installation = await newInstallation();
    const DPoP = await installation.proof('POST', '/v1/trials', { htu: 'HTTP://127.0.0.1:3000/v1/trials?from=test#here' });
    expect((await call('startTrial', { headers: { DPoP }, body: { productId: 'authserver', ...machine() } })).status).toBe(201);
  });

  it('answers 401 INVALID_PROOF to a tampered signature', async () => {
    const installation = await newInstallation();
    const proof = await installation.proof('POST', '/v1/trials');
    const tampered = `${proof.slice(0, -4)}${proof.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const answer = await call('startTrial', { headers: { DPoP: tampered }, body: { productId: 'authserver', ...machine() } });
    expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_PROOF' } });
  });

  it('answers 401 PROOF_REPLAYED to a proof used twice', async () => {
    const installation = await newInstallation();
    await call('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    const event = await eventFor('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
    expect((await send(event)).status).toBe(200);
    expect(await send(event)).toMatchObject({ status: 401, body: { code: 'PROOF_REPLAYED' } });
  });

  it('spends a proof once when the same request arrives five times at once', async () => {
    const installation = await newInstallation();
    await call('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    const event = await eventFor('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(event)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401, 401, 401]);
    expect(answers.filter((answer) => answer.status === 401).every((answer) => (answer.body as { code: string }).code === 'PROOF_REPLAYED')).toBe(true);
  });

  it('keeps the proofs an installation spent inside its item, at most 20 a replay window, then 429 until the oldest expires', async () => {
    const start = new Date(Date.now() + 60_000);
    const id = installationId();
    await activateAt(start, id, { key: (await issueLicense(opsPrincipal, { customerId: (await registerCustomer()).account.id, productId: 'modeler', type: 'server' })).key });
    // The activation spent one; 19 more heartbeats within ten minutes fill the window.
    for (let second = 1; second < 20; second += 1) await heartbeatAt(at(start, second * 1000), id);
    expect(Object.keys((await getInstallation(table(), id))?.recentProofs ?? {})).toHaveLength(20);
    expect(await outcome(() => heartbeatAt(at(start, 30_000), id))).toEqual({ code: 'RATE_LIMITED' });
    // Once the activation's proof is past the window, one more fits, and spent proofs past it are pruned.
    await heartbeatAt(at(start, 600_001), id);
    await heartbeatAt(at(start, 700_000), id);
    expect(Object.keys((await getInstallation(table(), id))?.recentProofs ?? {}).length).toBeLessThanOrEqual(20);
    await heartbeatAt(at(start, 1_300_000), id);
    expect(Object.keys((await getInstallation(table(), id))?.recentProofs ?? {})).toHaveLength(1);
  });

  it.each([
    ['a body that fails validation (400)', { extra: 1 }, 400],
    ['a key no license has (404)', { key: '00000-00000-00000-00000-00000' }, 404],
    ['a key of another product (403)', { productId: 'vault' }, 403],
  ])('spends the proof of a request refused for %s: the same proof is a replay afterwards', async (_, change, status) => {
    const { key } = await issueLicense(opsPrincipal, { customerId: (await registerCustomer()).account.id, productId: 'authserver', type: 'users', quantity: 5 });
    const installation = await newInstallation();
    const DPoP = await installation.proof('POST', '/v1/activations');
    const body = { key, productId: 'authserver', ...machine() };
    expect((await call('activate', { headers: { DPoP }, body: { ...body, ...change } })).status).toBe(status);
    expect(await call('activate', { headers: { DPoP }, body })).toMatchObject({ status: 401, body: { code: 'PROOF_REPLAYED' } });
    expect((await call('activate', { installation, body })).status).toBe(201);
    // And once it has an item: a refused heartbeat spends its proof there.
    const heartbeatProof = await installation.proof('POST', `/v1/installations/${installation.id}/heartbeat`);
    const refused = await call('heartbeat', { headers: { DPoP: heartbeatProof }, params: { installationId: installation.id }, body: { version: '5.0.0' } });
    expect(refused.status).toBe(400);
    const replayed = await call('heartbeat', { headers: { DPoP: heartbeatProof }, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
    expect(replayed).toMatchObject({ status: 401, body: { code: 'PROOF_REPLAYED' } });
  });

  it('counts refused requests toward the 20 proofs a window: the 21st request is 429, whatever its body', async () => {
    const installation = await newInstallation();
    const trial = (body: Record<string, unknown>) => call('startTrial', { installation, body: { productId: 'authserver', ...machine(), ...body } });
    for (let attempt = 0; attempt < 20; attempt += 1) expect((await trial({ hostname: '' })).status).toBe(400);
    const limited = await trial({});
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await trial({ hostname: '' })).status).toBe(429);
  });

  it("answers 401 INVALID_PROOF to an installation using another's id", async () => {
    const owner = await newInstallation();
    const intruder = await newInstallation();
    await call('startTrial', { installation: owner, body: { productId: 'authserver', ...machine() } });
    const answer = await call('heartbeat', { installation: intruder, params: { installationId: owner.id }, body: { version: '5.0.0', usage: { activeUsers: 0 } } });
    expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_PROOF' } });
  });
});

describe('POST /v1/activations', () => {
  it('activates a key, and a repeat answers the same activation without taking a slot', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 50, maxActivations: 2 });
    const installation = await newInstallation();
    const facts = machine();
    const first = await activate(installation, { key, productId: 'authserver', ...facts });
    expect(first.status).toBe(201);
    expect(first.body.activation).toEqual({ id: expect.stringMatching(/^act_/), licenseId: license.id, installationId: installation.id, createdAt: expect.any(String), lastSeenAt: expect.any(String), method: 'online' });
    expect(first.body.installation).toMatchObject({ id: installation.id, customerId: customer.account.id, activations: [first.body.activation] });
    const claims = await verifyLicenseToken(first.body.token, 'authserver');
    expect(claims).toMatchObject({ mode: 'full', customerId: customer.account.id, seats: { users: 50, consumed: 0 }, licenses: [{ id: license.id, type: 'users', quantity: 50, status: 'active' }] });
    const repeat = await activate(installation, { key: key.toLowerCase().replaceAll('-', ''), productId: 'authserver', ...facts });
    expect(repeat.status).toBe(200);
    // The repeat saw the installation again: only its lastSeenAt moved.
    expect(repeat.body.activation).toEqual({ ...first.body.activation, lastSeenAt: expect.any(String) });
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
    expect(await activationItems(license.id)).toBe(1);
  });

  it('ends the trial and counts the seats used in it against the first users license', async () => {
    const installation = await newInstallation();
    const facts = machine();
    await call('startTrial', { installation, body: { productId: 'authserver', ...facts } });
    await heartbeat(installation, 12);
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 10 });
    const answer = await activate(installation, { key, productId: 'authserver', ...facts });
    expect(answer.status).toBe(201);
    expect(answer.body.installation.trial).toBeUndefined();
    const claims = await verifyLicenseToken(answer.body.token, 'authserver');
    expect(claims.trial).toBeUndefined();
    expect(claims.mode).toBe('full');
    expect(claims.seats).toEqual({ users: 10, consumed: 12 });
    expect(claims.warnings.map((warning) => warning.code)).toEqual(['SEATS_EXCEEDED']);
    const again = await call<{ installation: Installation }>('startTrial', { installation, body: { productId: 'authserver', ...facts } });
    expect(again.status).toBe(200);
    expect(again.body.installation.trial).toBeUndefined();
  });

  it.each([
    ['a key with a typing mistake', 'typo', 400, 'KEY_MALFORMED'],
    ['a well-formed key nobody issued', 'unknown', 404, 'LICENSE_NOT_FOUND'],
    ['a key of another product', 'product', 403, 'PRODUCT_MISMATCH'],
    ['a suspended license', 'suspended', 403, 'LICENSE_SUSPENDED'],
    ['a revoked license', 'revoked', 403, 'LICENSE_REVOKED'],
    ['an expired license', 'expired', 403, 'LICENSE_EXPIRED'],
    ['a modeler license on a virtual machine', 'virtual', 403, 'VIRTUAL_MACHINE_NOT_ALLOWED'],
    ['a license at its activation limit', 'full', 409, 'TOO_MANY_ACTIVATIONS'],
  ])('refuses %s', async (_, variant, status, code) => {
    const customer = await registerCustomer();
    const productId = variant === 'virtual' ? 'modeler' : 'authserver';
    const type = variant === 'virtual' ? 'server' : 'users';
    const expiresAt = variant === 'expired' ? new Date(Date.now() + 60_000).toISOString() : undefined;
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId, type, expiresAt });
    if (variant === 'suspended') await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    if (variant === 'revoked') await call('revokeLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    if (variant === 'full') await activate(await newInstallation(), { key, productId, ...machine() });
    if (variant === 'expired') vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    const sent = {
      typo: `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`,
      unknown: '00000-00000-00000-00000-00000',
    }[variant as 'typo' | 'unknown'] ?? key;
    const answer = await activate(await newInstallation(), {
      key: sent,
      productId: variant === 'product' ? 'vault' : productId,
      ...machine({ virtual: variant === 'virtual' }),
    });
    expect(answer).toMatchObject({ status, body: { code, status } });
    expect(answer.headers['content-type']).toBe('application/problem+json');
  });

  it('never sells more activations than the license has, under 20 concurrent installations', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 3 });
    const installations = await Promise.all(Array.from({ length: 20 }, newInstallation));
    const answers = await Promise.all(installations.map((installation) => activate(installation, { key, productId: 'authserver', ...machine() })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 409).map((answer) => (answer.body as unknown as { code: string }).code)).toEqual(Array(17).fill('TOO_MANY_ACTIVATIONS'));
    expect((await getLicense(table(), license.id))?.activations).toBe(3);
    expect(await activationItems(license.id)).toBe(3);
  });

  it('answers 429 RATE_LIMITED to the 11th key activation after 10 failures, even with a good key', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const installation = await newInstallation();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const wrong = attempt % 2 === 0 ? 'AAAAA-AAAAA' : '00000-00000-00000-00000-00000';
      expect((await activate(installation, { key: wrong, productId: 'authserver', ...machine() })).status).toBeLessThan(500);
    }
    const limited = await activate(installation, { key, productId: 'authserver', ...machine() });
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(590);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60 * 1000 });
    expect((await activate(installation, { key, productId: 'authserver', ...machine() })).status).toBe(201);
  });

  it("lets a reseller activate a customer's license by id, and nobody else", async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license } = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 5 });
    const body = { licenseId: license.id, customerId: customer.account.id, productId: 'modeler', ...machine() };
    const stranger = await createReseller();
    expect(await activate(await newInstallation(), body, { Authorization: `Bearer ${stranger.apiKey}` })).toMatchObject({ status: 404, body: { code: 'LICENSE_NOT_FOUND' } });
    expect(await activate(await newInstallation(), body)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await activate(await newInstallation(), body, { Authorization: 'Bearer lak_unknown' })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    const installation = await newInstallation();
    const answer = await activate(installation, body, { Authorization: `Bearer ${reseller.apiKey}` });
    expect(answer.status).toBe(201);
    const events = await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: customer.principal, params: { licenseId: license.id } });
    expect(events.body.items[0]).toMatchObject({ type: 'activation.created', actor: { kind: 'reseller', id: reseller.account.id }, installationId: installation.id });
  });

  it('warns a modeler below 4.6.0 and counts server seats', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 7 });
    const answer = await activate(await newInstallation(), { key, productId: 'modeler', ...machine({ version: '4.5.9' }) });
    const claims = await verifyLicenseToken(answer.body.token, 'modeler');
    expect(claims).toMatchObject({ mode: 'full', seats: { users: 7, consumed: 0 } });
    expect(claims.warnings.map((warning) => warning.code)).toEqual(['VERSION_UNSUPPORTED']);
  });
});

describe('POST /v1/installations/{id}/heartbeat', () => {
  it('follows a suspension into limited mode and a reinstatement back to full', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 10 });
    const installation = await newInstallation();
    await activate(installation, { key, productId: 'authserver', ...machine() });
    const before = await verifyLicenseToken((await heartbeat(installation, 4)).body.token, 'authserver');
    expect(before).toMatchObject({ mode: 'full', seats: { users: 10, consumed: 4 } });
    await call('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    const suspended = await verifyLicenseToken((await heartbeat(installation, 4)).body.token, 'authserver');
    expect(suspended).toMatchObject({ mode: 'limited', limited: { reasons: ['LICENSE_SUSPENDED'] }, licenses: [{ id: license.id, status: 'suspended' }] });
    await call('reinstateLicense', { as: opsPrincipal, params: { licenseId: license.id } });
    expect(await verifyLicenseToken((await heartbeat(installation, 4)).body.token, 'authserver')).toMatchObject({ mode: 'full' });
  });

  it('applies the vault rule: updates only while support seats cover user seats and support runs', async () => {
    const customer = await registerCustomer();
    const customerId = customer.account.id;
    const installation = await newInstallation();
    const facts = machine();
    for (const input of [
      { type: 'edition' as const, edition: 'premium' },
      { type: 'users' as const, quantity: 10 },
      { type: 'support' as const, quantity: 10, expiresAt: new Date(Date.now() + 30 * day).toISOString() },
    ]) {
      const { key } = await issueLicense(opsPrincipal, { customerId, productId: 'vault', ...input });
      expect((await activate(installation, { key, productId: 'vault', ...facts })).status).toBe(201);
    }
    const claims = await verifyLicenseToken((await heartbeat(installation, 3)).body.token, 'vault');
    expect(claims).toMatchObject({ mode: 'full', edition: 'premium', seats: { users: 10, consumed: 3 }, support: { seats: 10, updatesEligible: true } });
    const { key: morePacks } = await issueLicense(opsPrincipal, { customerId, productId: 'vault', type: 'users', quantity: 5 });
    await activate(installation, { key: morePacks, productId: 'vault', ...facts });
    const uncovered = await verifyLicenseToken((await heartbeat(installation, 3)).body.token, 'vault');
    expect(uncovered.support).toMatchObject({ seats: 10, updatesEligible: false });
    expect(uncovered.seats.users).toBe(15);
  });

  it('answers 404 to an installation the service never saw', async () => {
    const installation = await newInstallation();
    expect(await heartbeat(installation)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('keeps every activation under concurrent heartbeats, the last report winning', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 10 });
    const installation = await newInstallation();
    await activate(installation, { key, productId: 'authserver', ...machine() });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => heartbeat(installation, index)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const restored = await call<{ installation: Installation }>('getInstallation', { installation, params: { installationId: installation.id } });
    expect(restored.body.installation.activations).toHaveLength(1);
    expect(restored.body.installation.usage?.activeUsers).toBeGreaterThanOrEqual(0);
  });
});

describe('the heartbeat brake and the settled token', () => {
  const minute = 60 * 1000;
  /** A heartbeat at `now` (the lib function, so that time can pass), with a fresh proof, presenting the head as a client does. */
  async function heartbeatAt(installation: TestInstallation, now: Date, activeUsers: number, chain?: string) {
    const proof = { kind: 'dpop', installation: { kind: 'installation', id: installation.id, jwk: {}, jti: randomUUID(), iat: Math.floor(now.getTime() / 1000) } } as const;
    const presented = chain ?? (await getInstallation(table(), installation.id))?.chain?.head;
    const input = { version: '5.0.0', usage: { activeUsers }, ...(presented === undefined ? {} : { chain: presented }) };
    const { token } = await recordHeartbeat(installationDeps(), { proof, input, idempotencyKey: randomUUID(), now });
    return { token, claims: await verifyLicenseToken(token, 'authserver') };
  }
  async function activatedInstallation() {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 10 });
    const installation = await newInstallation();
    await activate(installation, { key, productId: 'authserver', ...machine() });
    return { installation, customerId: customer.account.id };
  }

  it('answers the head\'s token to a heartbeat presenting the head while a new one would decide the same, and records the report', async () => {
    const { installation } = await activatedInstallation();
    const start = new Date();
    const first = await heartbeatAt(installation, start, 2);
    const again = await heartbeatAt(installation, new Date(start.getTime() + 4 * minute), 9);
    expect(again.token).toBe(first.token);
    expect(await getInstallation(table(), installation.id)).toMatchObject({ usage: { activeUsers: 9 }, chain: { head: first.claims.chain } });
    // A report that changes the decision signs at once, with a new head: 12 users on 10 seats.
    const after = await heartbeatAt(installation, new Date(start.getTime() + 5 * minute), 12);
    expect(after.token).not.toBe(first.token);
    expect(after.claims).toMatchObject({ seats: { consumed: 12 }, warnings: [expect.objectContaining({ code: 'SEATS_EXCEEDED' })] });
    expect(after.claims.chain).not.toBe(first.claims.chain);
  });

  it('never answers the head\'s token to a heartbeat that does not present the head', async () => {
    const { installation } = await activatedInstallation();
    const start = new Date();
    const first = await heartbeatAt(installation, start, 2);
    const second = await heartbeatAt(installation, new Date(start.getTime() + minute), 2);
    expect(second.token).toBe(first.token);
    // The chain the activation gave it: older than the head, a fork, which always signs.
    const forked = await heartbeatAt(installation, new Date(start.getTime() + 2 * minute), 2, 'an-older-chain-than-the-head');
    expect(forked.token).not.toBe(first.token);
    expect(forked.claims.chain).not.toBe(first.claims.chain);
  });

  it('refuses a replayed proof within the brake as before', async () => {
    const { installation } = await activatedInstallation();
    expect((await heartbeat(installation, 1)).status).toBe(200);
    const event = await eventFor('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers: 1 } } });
    expect((await send(event)).status).toBe(200);
    expect(await send(event)).toMatchObject({ status: 401, body: { code: 'PROOF_REPLAYED' } });
  });

  it('signs within the brake once anything but a heartbeat changed the installation or its licenses', async () => {
    const { installation, customerId } = await activatedInstallation();
    const start = new Date();
    const first = await heartbeatAt(installation, start, 1);
    const { key } = await issueLicense(opsPrincipal, { customerId, type: 'users', quantity: 5 });
    await activate(installation, { key, productId: 'authserver', ...machine() });
    const added = await heartbeatAt(installation, new Date(start.getTime() + minute), 1);
    expect(added.token).not.toBe(first.token);
    expect(added.claims.licenses).toHaveLength(2);
    await call('suspendLicense', { as: opsPrincipal, params: { licenseId: added.claims.licenses[1]?.id ?? '' } });
    const suspended = await heartbeatAt(installation, new Date(start.getTime() + 2 * minute), 1);
    expect(suspended.claims.licenses.map((license) => license.status)).toContain('suspended');
  });

  it('answers the recent token while it decides the same and asks no refresh yet, then settles on a 7-day refresh', async () => {
    const { installation } = await activatedInstallation();
    const start = new Date();
    const first = await heartbeatAt(installation, start, 3);
    expect(first.claims.refreshAfter - first.claims.iat).toBe(24 * 60 * 60);
    const hourLater = await heartbeatAt(installation, new Date(start.getTime() + 60 * minute), 3);
    expect(hourLater.token).toBe(first.token);
    // Another count of users within the seats decides the same; one past them does not.
    expect((await heartbeatAt(installation, new Date(start.getTime() + 60 * minute + 30_000), 4)).token).toBe(first.token);
    const changed = await heartbeatAt(installation, new Date(start.getTime() + 61 * minute), 11);
    expect(changed.token).not.toBe(first.token);
    expect(changed.claims.refreshAfter - changed.claims.iat).toBe(24 * 60 * 60);
    const dayLater = await heartbeatAt(installation, new Date(start.getTime() + 61 * minute + day), 11);
    expect(dayLater.token).not.toBe(changed.token);
    expect(dayLater.claims.refreshAfter - dayLater.claims.iat).toBe(7 * 24 * 60 * 60);
    expect((await heartbeatAt(installation, new Date(start.getTime() + 61 * minute + 6 * day), 11)).token).toBe(dayLater.token);
    expect(await getInstallation(table(), installation.id)).toMatchObject({ lastSeenAt: new Date(start.getTime() + 61 * minute + 6 * day).toISOString() });
    expect((await heartbeatAt(installation, new Date(start.getTime() + 61 * minute + 8 * day), 11)).token).not.toBe(dayLater.token);
  });
});

describe('DELETE /v1/installations/{id}/activations/{licenseId}', () => {
  it('frees the slot for another installation and records the release', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const first = await newInstallation();
    const second = await newInstallation();
    await activate(first, { key, productId: 'authserver', ...machine() });
    expect((await activate(second, { key, productId: 'authserver', ...machine() })).status).toBe(409);
    const params = { installationId: first.id, licenseId: license.id };
    expect((await call('releaseActivation', { installation: first, params })).status).toBe(204);
    expect((await call('releaseActivation', { installation: first, params })).status).toBe(404);
    expect((await getLicense(table(), license.id))?.activations).toBe(0);
    expect((await activate(second, { key, productId: 'authserver', ...machine() })).status).toBe(201);
    const events = await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: opsPrincipal, params: { licenseId: license.id } });
    expect(events.body.items.map((event) => event.type)).toEqual(['activation.created', 'activation.released', 'activation.created', 'license.issued']);
    const limited = await verifyLicenseToken((await heartbeat(first)).body.token, 'authserver');
    expect(limited).toMatchObject({ mode: 'limited', limited: { reasons: ['NOT_ACTIVATED'] }, licenses: [] });
  });

  it('lets the owning customer release with its API key, and answers 404 to anyone else', async () => {
    const customer = await registerCustomer();
    const stranger = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const installation = await newInstallation();
    await activate(installation, { key, productId: 'authserver', ...machine() });
    const params = { installationId: installation.id, licenseId: license.id };
    expect((await call('releaseActivation', { params, headers: { Authorization: `Bearer ${stranger.apiKey}` } })).status).toBe(404);
    expect((await call('releaseActivation', { params })).status).toBe(401);
    expect((await call('releaseActivation', { params, headers: { Authorization: `Bearer ${customer.apiKey}` } })).status).toBe(204);
  });
});

describe('GET /v1/installations/{id}', () => {
  it('restores everything the installation needs, with a fresh token for it alone; its owners read it without one', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, quantity: 25 });
    const installation = await newInstallation();
    const activated = await activate(installation, { key, productId: 'authserver', ...machine() });
    await heartbeat(installation, 7);
    const answer = await call<{ installation: Installation & { licenses: License[]; token: string }; token: string }>('getInstallation', {
      installation,
      params: { installationId: installation.id },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.installation).toMatchObject({
      id: installation.id,
      customerId: customer.account.id,
      activations: [{ ...activated.body.activation, lastSeenAt: expect.any(String) }],
      usage: { activeUsers: 7 },
      licenses: [{ id: license.id, status: 'active', activations: 1, keyPrefix: license.keyPrefix }],
    });
    expect(answer.body.installation.token).toBe(answer.body.token);
    expect(await verifyLicenseToken(answer.body.token, 'authserver')).toMatchObject({ mode: 'full', seats: { users: 25, consumed: 7 } });
    const params = { installationId: installation.id };
    const before = await getInstallation(table(), installation.id);
    for (const owner of [customer, reseller]) {
      const read = await call<{ installation: Installation & { licenses: License[] }; token?: string }>('getInstallation', { params, headers: { Authorization: `Bearer ${owner.apiKey}` } });
      expect(read.status).toBe(200);
      expect(read.body.token).toBeUndefined();
      expect(read.body.installation).toMatchObject({ id: installation.id, licenses: [{ id: license.id }] });
      expect(read.body.installation).not.toHaveProperty('token');
    }
    // Nothing written: no token, no lease renewed, no head counted.
    expect(await getInstallation(table(), installation.id)).toEqual(before);
    expect((await call('getInstallation', { params, headers: { Authorization: `Bearer ${(await registerCustomer()).apiKey}` } })).status).toBe(404);
    expect((await call('getInstallation', { params, installation: await newInstallation() })).status).toBe(401);
  });
});

describe('POST /v1/offline-activations', () => {
  async function requestFile(installation: TestInstallation, claims: Record<string, unknown>) {
    return installation.sign('activation-request+jwt', { iat: Math.floor(Date.now() / 1000), jti: crypto.randomUUID(), ...claims });
  }

  it('turns a request file into a year-long license file, once', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 5 });
    const installation = await newInstallation();
    const request = await requestFile(installation, { key, productId: 'authserver', ...machine() });
    const answer = await call<{ token: string }>('offlineActivate', { body: { request } });
    expect(answer.status).toBe(201);
    const claims = await verifyLicenseToken(answer.body.token, 'authserver');
    expect(claims).toMatchObject({ sub: installation.id, mode: 'full', seats: { users: 5, consumed: 0 } });
    expect(claims.exp - claims.iat).toBe(365 * 24 * 60 * 60);
    expect(await call('offlineActivate', { body: { request } })).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
  });

  it('ends a license file with its license', async () => {
    const customer = await registerCustomer();
    const expiresAt = new Date(Date.now() + 40 * day);
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, expiresAt: expiresAt.toISOString() });
    const answer = await call<{ token: string }>('offlineActivate', { body: { request: await requestFile(await newInstallation(), { key, productId: 'authserver', ...machine() }) } });
    expect((await verifyLicenseToken(answer.body.token, 'authserver')).exp).toBe(Math.floor(expiresAt.getTime() / 1000));
  });

  it.each([
    ['older than 7 days', { iat: Math.floor(Date.now() / 1000) - 8 * 24 * 60 * 60 }, 401, 'PROOF_EXPIRED'],
    ['missing its key', { key: undefined }, 400, 'VALIDATION_FAILED'],
  ])('refuses a request file %s', async (_, overrides, status, code) => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const request = await requestFile(await newInstallation(), { key, productId: 'authserver', ...machine(), ...overrides });
    expect(await call('offlineActivate', { body: { request } })).toMatchObject({ status, body: { code } });
  });

  it('refuses a request file signed as something else', async () => {
    const installation = await newInstallation();
    const request = await installation.sign('dpop+jwt', { jti: 'x', iat: Math.floor(Date.now() / 1000) });
    expect(await call('offlineActivate', { body: { request } })).toMatchObject({ status: 401, body: { code: 'INVALID_PROOF' } });
  });
});
