import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { evaluateLicenseStatus } from '../../../packages/client/src/license-status.js';
import { TrustedKeys } from '../../../packages/client/src/trusted-keys.js';
import { verifyLicenseToken } from '../../../packages/client/src/verify-license-token.js';
import type { TokenProblem } from '../../../packages/client/src/verify-license-token.js';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { InstallationRecord } from '#lib/data/installations.js';
import { signLicenseToken } from '#lib/installations/license-token.js';
import { LocalTokenSigner } from '#lib/keys/local-signer.js';
import { licenseClaims, now, testInstallation, testSigner } from './client-fixtures.js';
import type { TestInstallation, TestSigner } from './client-fixtures.js';

let vendor: TestSigner;
let installation: TestInstallation;
let keys: TrustedKeys;

beforeAll(async () => {
  vendor = await testSigner();
  installation = await testInstallation();
  keys = TrustedKeys.pin(vendor.jwks);
});

const expectations = () => ({ issuer: 'license-activation', productId: 'authserver', installationId: installation.installationId });

/** Flips one character of the payload segment, keeping it valid base64url. */
function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split('.');
  const middle = Math.floor((payload ?? '').length / 2);
  const flipped = `${payload?.slice(0, middle)}${payload?.[middle] === 'A' ? 'B' : 'A'}${payload?.slice(middle + 1)}`;
  return [header, flipped, signature].join('.');
}

describe('verifyLicenseToken', () => {
  it('accepts a token of this installation signed by a pinned key, and returns its claims', async () => {
    const token = await vendor.sign(licenseClaims(installation.installationId));

    const verification = await verifyLicenseToken(token, keys, expectations());

    expect(verification).toEqual({ valid: true, claims: licenseClaims(installation.installationId), keyId: vendor.kid });
  });

  it.each<[string, () => Promise<string>, TokenProblem]>([
    ['a tampered payload', async () => tamperPayload(await vendor.sign(licenseClaims(installation.installationId))), 'BAD_SIGNATURE'],
    ['a signature by another key under the pinned kid', async () => (await testSigner(vendor.kid)).sign(licenseClaims(installation.installationId)), 'BAD_SIGNATURE'],
    ['a kid nobody pinned', async () => (await testSigner('rotated-key')).sign(licenseClaims(installation.installationId)), 'UNKNOWN_KEY'],
    ['another installation\'s token', async () => vendor.sign(licenseClaims((await testInstallation()).installationId)), 'OTHER_INSTALLATION'],
    ['a token whose cnf names another installation', async () => vendor.sign(licenseClaims(installation.installationId, { cnf: { jkt: 'someone-else' } })), 'OTHER_INSTALLATION'],
    ['a token for another product', async () => vendor.sign(licenseClaims(installation.installationId, { aud: 'vault' })), 'WRONG_AUDIENCE'],
    ['a token of another issuer', async () => vendor.sign(licenseClaims(installation.installationId, { iss: 'somebody' })), 'WRONG_ISSUER'],
    ['a JWS of another type', async () => vendor.sign(licenseClaims(installation.installationId), { typ: 'JWT' }), 'WRONG_TYPE'],
    ['claims that are not a license token', async () => vendor.sign({ ...licenseClaims(installation.installationId), mode: 'unlimited' }), 'INVALID_CLAIMS'],
    ['a string that is not a JWS', async () => 'not-a-token', 'MALFORMED'],
  ])('refuses %s', async (_, token, problem) => {
    const verification = await verifyLicenseToken(await token(), keys, expectations());

    expect(verification).toMatchObject({ valid: false, problem });
  });

  it('refuses a token signed with an HMAC key (alg confusion)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'license+jwt', kid: vendor.kid })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(licenseClaims(installation.installationId))).toString('base64url');

    const verification = await verifyLicenseToken(`${header}.${payload}.c2lnbmF0dXJl`, keys, expectations());

    expect(verification).toMatchObject({ valid: false, problem: 'WRONG_ALGORITHM' });
  });

  it('leaves time to the caller: an expired token still verifies', async () => {
    const expired = licenseClaims(installation.installationId, { iat: 1_000, exp: 2_000, refreshAfter: 1_500 });

    expect(await verifyLicenseToken(await vendor.sign(expired), keys, expectations())).toMatchObject({ valid: true });
  });
});

describe('verifyLicenseToken with the service\'s own tokens', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'client-service-token-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts a token signed by the service\'s token builder and reads it as the service decided', async () => {
    // Prepare
    const signer = new LocalTokenSigner(dataDir);
    const record: InstallationRecord = {
      id: installation.installationId, productId: 'authserver', customerId: 'acc_1', hostname: 'srv-01', version: '5.0.0', virtual: false,
      fingerprintHash: 'hash', createdAt: now.toISOString(), lastSeenAt: now.toISOString(), rev: 1,
      licenses: { lic_1: { licenseId: 'lic_1', activationId: 'act_1', activatedAt: now.toISOString(), type: 'users', quantity: 40, status: 'active' } },
    };
    const { token } = await signLicenseToken({ signer, catalog: referenceCatalog, issuer: 'license-activation' }, record, { kind: 'online' }, now);

    // Act
    const verification = await verifyLicenseToken(token, TrustedKeys.pin({ keys: await signer.publicJwks() }), expectations());

    // Assess
    expect(verification).toMatchObject({ valid: true, keyId: await signer.keyId(), claims: { mode: 'full', seats: { users: 40, consumed: 0 }, licenses: [{ id: 'lic_1', type: 'users' }] } });
  });

  it('keeps accepting the committed golden token of an earlier service', async () => {
    const golden = z
      .object({ signedAt: z.iso.datetime(), installationId: z.string(), jwks: z.object({ keys: z.array(z.unknown()) }), token: z.string() })
      .parse(JSON.parse(await readFile(new URL('fixtures/golden-license-token.json', import.meta.url), 'utf8')));
    const vault = referenceCatalog.vault;
    if (!vault) throw new TypeError('the reference catalog lost vault');

    const verification = await verifyLicenseToken(golden.token, TrustedKeys.pin(golden.jwks), { issuer: 'license-activation', productId: 'vault', installationId: golden.installationId });
    const status = evaluateLicenseStatus({ installationId: golden.installationId, product: vault, productVersion: '5.2.0', token: verification, now: new Date(golden.signedAt), highestTimeSeen: undefined, clockToleranceSeconds: 300 });

    expect(verification.valid).toBe(true);
    expect(status).toMatchObject({ mode: 'full', edition: 'professional', seats: { users: 25, consumed: 12 } });
  });
});

describe('TrustedKeys', () => {
  it('refuses to pin a private key', async () => {
    const pinned = { keys: [{ ...vendor.jwks.keys[0], d: 'c2VjcmV0' }] };

    expect(() => TrustedKeys.pin(pinned)).toThrow(/private key/);
  });

  it('refuses to pin an empty set, and two keys under one kid', async () => {
    const other = await testSigner(vendor.kid);

    expect(() => TrustedKeys.pin({ keys: [] })).toThrow(/at least one/);
    expect(() => TrustedKeys.pin({ keys: [...vendor.jwks.keys, ...other.jwks.keys] })).toThrow(/share the kid/);
  });

  it('adds fetched keys under new kids but never replaces a pinned key', async () => {
    const trusted = TrustedKeys.pin(vendor.jwks);
    const impostor = await testSigner(vendor.kid);
    const rotated = await testSigner('rotated-key');

    const added = trusted.add([...impostor.jwks.keys, ...rotated.jwks.keys, { kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric' }]);

    expect(added).toEqual(['rotated-key']);
    expect(trusted.keyFor(vendor.kid)).toMatchObject({ x: vendor.jwks.keys[0]?.x });
    expect(await verifyLicenseToken(await impostor.sign(licenseClaims(installation.installationId)), trusted, expectations())).toMatchObject({ problem: 'BAD_SIGNATURE' });
    expect(await verifyLicenseToken(await rotated.sign(licenseClaims(installation.installationId)), trusted, expectations())).toMatchObject({ valid: true });
  });
});
