import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import type { Account, DeviceAuthorizationStarted, LicenseIssued } from '@license-activation/contract/schemas';
import { resetConfig } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { keys } from '#lib/data/keys.js';
import { readUserCodeLookup } from '#lib/data/device-authorizations.js';
import { resetPersonTokens } from '#lib/auth/person-tokens.js';
import { collectDeviceAuthorization, deviceCodeLifetimeSeconds, pollIntervalSeconds, startDeviceAuthorization } from '#lib/installations/sign-in-activation.js';
import { signInActivationDeps } from '#lib/installations/sign-in-activation-deps.js';
import { newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { checkLedger } from '../support/ledger.js';
import { failuresRightAfterTheRead } from '../support/failures-meanwhile.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { signedInPerson, uniqueEmail, unverifiedPerson } from '../support/people.js';
import type { TestPerson } from '../support/people.js';
import { machine } from '../support/scenario.js';
import { LicenseClient } from '../../packages/client/src/license-client.js';
import type { KeySetDocument } from '../../packages/client/src/trusted-keys.js';
import { main } from '../../packages/client/src/licensectl.js';

// API.md §7 end to end: real people of the run's cognito-local, the local service (authorizer
// included), DynamoDB Local. Each test has its own reseller, customer and person.

let baseUrl: string;
let close: () => Promise<void>;
beforeAll(async () => ({ baseUrl, close } = await startLocalService()));
afterAll(() => close());

const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };

async function ok<T>(method: string, path: string, credential: Credential, body?: unknown, status = 200): Promise<T> {
  const answer = await request<T>(baseUrl, method, path, { credential, body });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body;
}

/** A customer owned by a signed-in person (invited by its account email, and accepted), with a license of `maxActivations`. */
async function customerWithLicense(maxActivations = 2) {
  const person = await signedInPerson(uniqueEmail('owner'));
  const reseller = await ok<{ apiKey: string }>('POST', '/v1/admin/resellers', ops, { name: 'Reseller', email: uniqueEmail('sales') }, 201);
  const customer = await ok<{ account: Account }>('POST', '/v1/customers', { apiKey: reseller.apiKey }, { name: 'Customer', email: person.email }, 201);
  await ok('POST', `/v1/me/invitations/${customer.account.id}/accept`, { apiKey: person.accessToken });
  const issued = await ok<LicenseIssued>('POST', '/v1/licenses', { apiKey: reseller.apiKey }, { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 10, maxActivations }, 201);
  const as = (who: TestPerson): Credential => ({ apiKey: who.accessToken, accountId: customer.account.id });
  return { person, customerId: customer.account.id, licenseId: issued.license.id, as, owner: as(person) };
}

async function started(installation: TestInstallation): Promise<DeviceAuthorizationStarted> {
  return ok<DeviceAuthorizationStarted>('POST', '/v1/device-authorizations', { installation }, { productId: 'authserver', ...machine({ hostname: 'build-07.example' }) }, 201);
}

const poll = (installation: TestInstallation, deviceCode: string) =>
  request<{ code?: string; token?: string }>(baseUrl, 'POST', '/v1/device-authorizations/token', { credential: { installation }, body: { deviceCode } });

describe('sign-in activation (API.md §7)', () => {
  it('approve, then collect: the installation gets its token once the person approved', async () => {
    const { owner, licenseId, customerId, person } = await customerWithLicense();
    const installation = await newInstallation();
    const codes = await started(installation);
    expect(codes.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.verificationUriComplete).toBe(`${codes.verificationUri}?code=${codes.userCode}`);
    expect(codes).toMatchObject({ expiresIn: deviceCodeLifetimeSeconds, interval: pollIntervalSeconds });
    expect((await poll(installation, codes.deviceCode)).body.code).toBe('AUTHORIZATION_PENDING');

    // Typed as people type it: lower case, no dash.
    const typed = codes.userCode.replace('-', '').toLowerCase();
    const shown = await ok<{ authorization: { status: string; hostname: string; installationId: string } }>('GET', `/v1/device-authorizations/${typed}`, owner);
    expect(shown.authorization).toMatchObject({ status: 'pending', hostname: 'build-07.example', installationId: installation.id });
    const approved = await ok<{ activation: { licenseId: string } }>('POST', `/v1/device-authorizations/${codes.userCode}/approve`, owner, { licenseId });
    expect(approved.activation.licenseId).toBe(licenseId);

    const collected = await poll(installation, codes.deviceCode);
    expect(collected.status).toBe(201);
    expect(decodeJwt(collected.body.token ?? '')).toMatchObject({ sub: installation.id, licenses: [expect.objectContaining({ id: licenseId })] });
    // Collecting again answers the same activation, as a repeat.
    expect((await poll(installation, codes.deviceCode)).status).toBe(200);
    const again = await request(baseUrl, 'POST', `/v1/device-authorizations/${codes.userCode}/approve`, { credential: owner, body: { licenseId } });
    expect(again.status).toBe(409);
    expect(await checkLedger(table())).toEqual([]);
    // Who approved is in the customer's audit trail as well as the license's.
    for (const feed of [`/v1/customers/${customerId}/events`, `/v1/licenses/${licenseId}/events`]) {
      const { items } = await ok<{ items: { type: string; actor: { kind: string; id: string } }[] }>('GET', feed, owner);
      expect(items.find((event) => event.type === 'authorization.approved')?.actor, feed).toEqual(expect.objectContaining({ kind: 'person', id: person.id }));
    }
  });

  it('deny: the installation is told, and the code can no longer be approved', async () => {
    const { owner, licenseId } = await customerWithLicense();
    const installation = await newInstallation();
    const codes = await started(installation);
    const denied = await ok<{ authorization: { status: string } }>('POST', `/v1/device-authorizations/${codes.userCode}/deny`, owner);
    expect(denied.authorization.status).toBe('denied');
    const answer = await poll(installation, codes.deviceCode);
    expect([answer.status, answer.body.code]).toEqual([403, 'AUTHORIZATION_DENIED']);
    expect((await request(baseUrl, 'POST', `/v1/device-authorizations/${codes.userCode}/approve`, { credential: owner, body: { licenseId } })).status).toBe(409);
  });

  it('slow down: a second poll within the interval is SLOW_DOWN; another key polling the code is 404', async () => {
    const installation = await newInstallation();
    const codes = await started(installation);
    expect((await poll(installation, codes.deviceCode)).body.code).toBe('AUTHORIZATION_PENDING');
    const second = await poll(installation, codes.deviceCode);
    expect([second.status, second.body.code]).toEqual([400, 'SLOW_DOWN']);
    expect((await poll(await newInstallation(), codes.deviceCode)).status).toBe(404);
  });

  it('polling spends no proof while the code is pending: 25 polls are SLOW_DOWN, never 429, and the collection still fits', async () => {
    const { owner, licenseId } = await customerWithLicense();
    const installation = await newInstallation();
    const codes = await started(installation);
    const answers = [];
    for (let attempt = 0; attempt < 25; attempt += 1) answers.push((await poll(installation, codes.deviceCode)).body.code);
    expect(new Set(answers)).toEqual(new Set(['AUTHORIZATION_PENDING', 'SLOW_DOWN']));
    await ok('POST', `/v1/device-authorizations/${codes.userCode}/approve`, owner, { licenseId });
    expect((await poll(installation, codes.deviceCode)).status).toBe(201);
  });

  it('expiry: after 10 minutes the installation is told AUTHORIZATION_EXPIRED, and the person sees it expired', async () => {
    const deps = signInActivationDeps();
    const { id, jwk } = await newInstallation();
    const installation = { kind: 'installation' as const, id, jwk, jti: 'jti-1', iat: 0 };
    const now = new Date();
    const codes = await startDeviceAuthorization(deps, { installation, input: { productId: 'authserver', ...machine() }, now });
    const later = new Date(now.getTime() + (deviceCodeLifetimeSeconds + 1) * 1000);
    const collecting = collectDeviceAuthorization(deps, { installation: { ...installation, jti: 'jti-2' }, deviceCode: codes.deviceCode, now: later });
    await expect(collecting).rejects.toMatchObject({ code: 'AUTHORIZATION_EXPIRED' });
  });

  it('10 unknown codes within 10 minutes: the person is rate limited, with Retry-After', async () => {
    const person = await signedInPerson();
    const credential: Credential = { apiKey: person.accessToken };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await request(baseUrl, 'GET', '/v1/device-authorizations/BCDF-GHJK', { credential })).status).toBe(404);
    }
    const limited = await request(baseUrl, 'GET', '/v1/device-authorizations/BCDF-GHJK', { credential });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  describe('starting sign-in activations spends proofs like every installation request (API.md §2: 20 per 600 s)', () => {
    const start = (installation: TestInstallation) =>
      request<{ code?: string }>(baseUrl, 'POST', '/v1/device-authorizations', { credential: { installation }, body: { productId: 'authserver', ...machine() } });

    it('refuses the 21st start of an installation that has no item yet with 429 and Retry-After', async () => {
      const installation = await newInstallation();
      for (let attempt = 0; attempt < 20; attempt += 1) expect((await start(installation)).status).toBe(201);
      const refused = await start(installation);
      expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(600);
      expect(await checkLedger(table())).toEqual([]);
    });

    it('counts the starts of an installation on trial together with its other requests', async () => {
      const installation = await newInstallation();
      const trial = await request(baseUrl, 'POST', '/v1/trials', { credential: { installation }, body: { productId: 'authserver', ...machine() } });
      expect(trial.status).toBe(201);
      for (let attempt = 0; attempt < 10; attempt += 1) expect((await start(installation)).status).toBe(201);
      for (let attempt = 0; attempt < 9; attempt += 1) {
        expect((await request(baseUrl, 'POST', `/v1/installations/${installation.id}/heartbeat`, { credential: { installation }, body: { version: '5.0.0', usage: { activeUsers: 0 } } })).status).toBe(200);
      }
      expect((await start(installation)).status).toBe(429);
      expect((await request(baseUrl, 'POST', `/v1/installations/${installation.id}/heartbeat`, { credential: { installation }, body: { version: '5.0.0', usage: { activeUsers: 0 } } })).status).toBe(429);
    });

    it('counts the starts of an installation from before it had an item once it has one', async () => {
      const installation = await newInstallation();
      for (let attempt = 0; attempt < 10; attempt += 1) expect((await start(installation)).status).toBe(201);
      expect((await request(baseUrl, 'POST', '/v1/trials', { credential: { installation }, body: { productId: 'authserver', ...machine() } })).status).toBe(201);
      for (let attempt = 0; attempt < 9; attempt += 1) {
        expect((await request(baseUrl, 'POST', `/v1/installations/${installation.id}/heartbeat`, { credential: { installation }, body: { version: '5.0.0', usage: { activeUsers: 0 } } })).status).toBe(200);
      }
      expect((await start(installation)).status).toBe(429);
    });

    it('refuses a start whose proof was spent, whatever else happened since', async () => {
      const installation = await newInstallation();
      const dpop = await installation.proof('POST', '/v1/device-authorizations');
      const send = () => request<{ code?: string }>(baseUrl, 'POST', '/v1/device-authorizations', { headers: { dpop }, body: { productId: 'authserver', ...machine() } });
      expect((await send()).status).toBe(201);
      expect((await request(baseUrl, 'POST', '/v1/trials', { credential: { installation }, body: { productId: 'authserver', ...machine() } })).status).toBe(201);
      expect((await send()).body.code).toBe('PROOF_REPLAYED');
    });
  });

  it('100 unknown codes at once from one person: at most 10 are looked up, the rest are 429', async () => {
    const person = await signedInPerson();
    const credential: Credential = { apiKey: person.accessToken };
    const answers = await Promise.all(Array.from({ length: 100 }, () => request(baseUrl, 'GET', '/v1/device-authorizations/BCDF-GHJK', { credential })));
    const statuses = answers.map((answer) => answer.status);
    // 503 is the contract's answer when DynamoDB does not answer in time (a loaded machine); it is never a lookup.
    expect(statuses.filter((status) => status !== 404 && status !== 429 && status !== 503)).toEqual([]);
    const counted = (await readUserCodeLookup(table(), { personId: person.id, userCode: undefined })).failures.size;
    expect(counted).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 404).length).toBeLessThanOrEqual(counted);
    if (!statuses.includes(503)) expect(counted).toBe(10);
    if (counted === 10) expect((await request(baseUrl, 'GET', '/v1/device-authorizations/BCDF-GHJK', { credential })).status).toBe(429);
  });

  it("a known code looked up while the person's 10th unknown code is counted is refused 429, not answered", async () => {
    const person = await signedInPerson();
    const codes = await started(await newInstallation());
    const stopFilling = failuresRightAfterTheRead(table(), { kind: 'userCodeFailures', personId: person.id }, keys.userCodeFailures(person.id));
    try {
      const lookup = await request<{ code?: string }>(baseUrl, 'GET', `/v1/device-authorizations/${codes.userCode}`, { credential: { apiKey: person.accessToken } });
      expect([lookup.status, lookup.body.code]).toEqual([429, 'RATE_LIMITED']);
    } finally {
      stopFilling();
    }
  });

  it('a removed member loses access at once', async () => {
    const world = await customerWithLicense();
    const member = await signedInPerson(uniqueEmail('member'));
    const added = await ok<{ member: { id: string } }>('POST', `/v1/accounts/${world.customerId}/members`, world.owner, { email: member.email, role: 'member' }, 201);
    await ok('POST', `/v1/me/invitations/${world.customerId}/accept`, { apiKey: member.accessToken });
    await ok('GET', `/v1/licenses/${world.licenseId}`, world.as(member));
    await ok('DELETE', `/v1/accounts/${world.customerId}/members/${added.member.id}`, world.owner, undefined, 204);
    expect((await request(baseUrl, 'GET', `/v1/licenses/${world.licenseId}`, { credential: world.as(member) })).status).toBe(403);
    // The last owner cannot be removed.
    const members = await ok<{ items: { id: string; role: string }[] }>('GET', `/v1/accounts/${world.customerId}/members`, world.owner);
    const lastOwner = members.items.find((item) => item.role === 'owner');
    expect((await request(baseUrl, 'DELETE', `/v1/accounts/${world.customerId}/members/${lastOwner?.id}`, { credential: world.owner })).status).toBe(409);
  });

  it('a person whose email is not verified cannot register an account', async () => {
    const person = await unverifiedPerson();
    const answer = await request<{ code: string }>(baseUrl, 'POST', '/v1/me/accounts', { credential: { apiKey: person.accessToken }, body: { name: 'Mine' } });
    expect([answer.status, answer.body.code]).toEqual([403, 'FORBIDDEN']);
    const verified = await signedInPerson();
    await ok('POST', '/v1/me/accounts', { apiKey: verified.accessToken }, { name: 'Mine' }, 201);
    const me = await ok<{ memberships: { role: string }[] }>('GET', '/v1/me', { apiKey: verified.accessToken });
    expect(me.memberships).toEqual([expect.objectContaining({ role: 'owner' })]);
  });

  describe('bad tokens are 401', () => {
    const { userPoolId, clientId, endpoint } = inject('userPool');
    // cognito-local signs with a key it ships: signing with it makes tokens the directory's key verifies.
    const shipped = join(dirname(createRequire(import.meta.url).resolve('cognito-local/package.json')), 'lib/keys/cognitoLocal.private.json');
    const { jwk } = JSON.parse(readFileSync(shipped, 'utf8')) as { jwk: JWK };
    const issuer = `${endpoint}/${userPoolId}`;
    const now = Math.floor(Date.now() / 1000);
    const good: JWTPayload = { iss: issuer, sub: 'someone', token_use: 'access', client_id: clientId, iat: now, exp: now + 600 };
    const signed = async (claims: JWTPayload) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'CognitoLocal' }).sign(await importJWK(jwk, 'RS256'));

    it.each([
      ['expired', { ...good, iat: now - 7200, exp: now - 3600 }],
      ['of a foreign issuer', { ...good, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_foreign' }],
      ['of another client', { ...good, client_id: 'another-client' }],
      ['an ID token', { ...good, token_use: 'id', aud: clientId }],
    ])('%s', async (_, claims) => {
      const answer = await request<{ code: string }>(baseUrl, 'GET', '/v1/me', { credential: { apiKey: await signed(claims) } });
      expect([answer.status, answer.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    });

    it('tampered with', async () => {
      const person = await signedInPerson();
      const [header, payload, signature] = person.accessToken.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
      const answer = await request(baseUrl, 'GET', '/v1/me', { credential: { apiKey: `${header}.${forged}.${signature}` } });
      expect(answer.status).toBe(401);
      expect((await request(baseUrl, 'GET', '/v1/me', { credential: { apiKey: person.idToken } })).status).toBe(401);
    });
  });

  it('concurrent approvals racing for the last slots never oversell', async () => {
    const maxActivations = 2;
    const { owner, licenseId } = await customerWithLicense(maxActivations);
    const waiting = await Promise.all(Array.from({ length: 6 }, async () => started(await newInstallation())));
    const answers = await Promise.all(
      waiting.map((codes) => request<{ code?: string }>(baseUrl, 'POST', `/v1/device-authorizations/${codes.userCode}/approve`, { credential: owner, body: { licenseId } })),
    );
    const statuses = answers.map((answer) => (answer.status === 200 ? 200 : answer.body.code));
    expect(statuses.filter((status) => status === 200)).toHaveLength(maxActivations);
    expect(statuses.filter((status) => status !== 200)).toEqual(Array(6 - maxActivations).fill('TOO_MANY_ACTIVATIONS'));
    const license = await ok<{ license: { activations: number } }>('GET', `/v1/licenses/${licenseId}`, owner);
    expect(license.license.activations).toBe(maxActivations);
    // A refused approval leaves its code pending.
    const refused = waiting[answers.findIndex((answer) => answer.status !== 200)];
    const shown = await ok<{ authorization: { status: string } }>('GET', `/v1/device-authorizations/${refused?.userCode}`, owner);
    expect(shown.authorization.status).toBe('pending');
    expect(await checkLedger(table())).toEqual([]);
  });

  describe('the client (activateBySignIn)', () => {
    async function client() {
      const pinnedKeys = await ok<KeySetDocument>('GET', '/.well-known/jwks.json', undefined);
      const stateDir = await mkdtemp(join(tmpdir(), 'sign-in-client-'));
      return new LicenseClient({ productId: 'authserver', productVersion: '5.0.0', stateDir, pinnedKeys, serverUrl: baseUrl });
    }

    it('shows the code, polls, and stores the token once the person approved', async () => {
      const { owner, licenseId } = await customerWithLicense();
      const installation = await client();
      const answer = await installation.activateBySignIn({
        onCode: async (code) => {
          expect(code).not.toHaveProperty('deviceCode');
          await ok('POST', `/v1/device-authorizations/${code.userCode}/approve`, owner, { licenseId });
        },
      });
      expect(answer.activation.licenseId).toBe(licenseId);
      expect((await installation.status()).mode).toBe('full');
    });

    it('licensectl activate --sign-in prints the code and its QR code, and activates once approved', async () => {
      const { owner, licenseId } = await customerWithLicense();
      const dir = await mkdtemp(join(tmpdir(), 'licensectl-sign-in-'));
      const jwksFile = join(dir, 'jwks.json');
      await writeFile(jwksFile, JSON.stringify(await ok('GET', '/.well-known/jwks.json', undefined)));
      const printed: string[] = [];
      let approval: Promise<unknown> | undefined;
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        const userCode = /enter ([A-Z]{4}-[A-Z]{4})/.exec(String(chunk))?.[1];
        if (userCode) approval = ok('POST', `/v1/device-authorizations/${userCode}/approve`, owner, { licenseId });
        return true;
      });
      let exitCode: number;
      try {
        exitCode = await main(['activate', '--sign-in', '--server', baseUrl, '--product', 'authserver', '--jwks', jwksFile, '--state-dir', join(dir, 'state')]);
      } finally {
        stdout.mockRestore();
      }
      await approval;
      expect(exitCode).toBe(0);
      expect(printed.join('')).toMatch(/[▀▄█]/);
      expect(printed.join('')).toContain(`activated license ${licenseId}`);
    });

    it('stops polling when its signal is aborted (Ctrl-C in licensectl)', async () => {
      const stop = new AbortController();
      const waiting = (await client()).activateBySignIn({ signal: stop.signal, onCode: () => stop.abort() });
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('is told AUTHORIZATION_DENIED when the person denies', async () => {
      const { owner } = await customerWithLicense();
      const waiting = (await client()).activateBySignIn({ onCode: (code) => ok('POST', `/v1/device-authorizations/${code.userCode}/deny`, owner) });
      await expect(waiting).rejects.toMatchObject({ code: 'AUTHORIZATION_DENIED' });
    });
  });

  // Last: it points the service at a directory that is down.
  it('a user directory that cannot be reached is 503, not 401', async () => {
    const person = await signedInPerson();
    const reachable = process.env.COGNITO_ENDPOINT;
    process.env.COGNITO_ENDPOINT = 'http://127.0.0.1:9';
    resetConfig();
    resetPersonTokens();
    try {
      const answer = await request<{ code: string }>(baseUrl, 'GET', '/v1/me', { credential: { apiKey: person.accessToken } });
      expect([answer.status, answer.body.code]).toEqual([503, 'UNAVAILABLE']);
    } finally {
      process.env.COGNITO_ENDPOINT = reachable;
      resetConfig();
      resetPersonTokens();
    }
  });
});
