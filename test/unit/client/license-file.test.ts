import { decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createActivationRequest, licenseFileToken } from '../../../packages/client/src/license-file.js';
import { verifySelfSignedJws } from '#lib/auth/proof-of-possession.js';
import { OfflineRequestClaims } from '@license-activation/contract/schemas';
import { activationRequestType } from '@license-activation/contract/jws-types';
import { now, nowSeconds, testInstallation } from './client-fixtures.js';
import type { TestInstallation } from './client-fixtures.js';

let installation: TestInstallation;

beforeAll(async () => {
  installation = await testInstallation();
});

const request = { key: 'ABCDE-FGHJK-MNPQR-STVWX-YZ012', productId: 'vault', fingerprint: 'fingerprint-1', hostname: 'vault-01.example', version: '5.2.0', virtual: false };

describe('createActivationRequest', () => {
  it('writes a request file the service\'s own verifier accepts, naming this installation', async () => {
    const file = await createActivationRequest(installation.key, request, now);

    const { payload, thumbprint } = await verifySelfSignedJws(file, activationRequestType, now);

    expect(thumbprint).toBe(installation.installationId);
    expect(OfflineRequestClaims.parse(payload)).toEqual({ ...request, iat: nowSeconds, jti: expect.any(String) });
  });

  it('carries the public key only, in the header the contract gives', async () => {
    const file = await createActivationRequest(installation.key, request, now);

    expect(decodeProtectedHeader(file)).toEqual({ typ: 'activation-request+jwt', alg: 'ES256', jwk: installation.key.publicJwk });
    expect(decodeProtectedHeader(file).jwk).not.toHaveProperty('d');
  });

  it('gives every file its own jti, so each can be used once', async () => {
    const [first, second] = await Promise.all([createActivationRequest(installation.key, request, now), createActivationRequest(installation.key, request, now)]);

    const jtis = await Promise.all([first, second].map(async (file) => (await verifySelfSignedJws(file ?? '', activationRequestType, now)).payload.jti));

    expect(new Set(jtis).size).toBe(2);
  });

  it('refuses what the service would refuse: a key longer than the contract allows', async () => {
    await expect(createActivationRequest(installation.key, { ...request, key: 'K'.repeat(300) }, now)).rejects.toThrow();
  });
});

describe('licenseFileToken', () => {
  it.each([
    ['the token itself', 'header.payload.signature\n'],
    ['the service\'s answer to the offline activation', '{"token":"header.payload.signature"}\n'],
  ])('reads %s', (_, contents) => {
    expect(licenseFileToken(contents)).toBe('header.payload.signature');
  });

  it.each([
    ['JSON without a token', '{"license":"x"}'],
    ['broken JSON', '{"token":'],
  ])('refuses %s as TOKEN_REJECTED', (_, contents) => {
    expect(() => licenseFileToken(contents)).toThrow(expect.objectContaining({ code: 'TOKEN_REJECTED' }));
  });
});
