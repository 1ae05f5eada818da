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

  it('reads the answer saved with its HTTP status line and headers (curl -i)', () => {
    const saved = 'HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-request-id: r-1\r\n\r\n{"token":"header.payload.signature"}';

    expect(licenseFileToken(saved)).toBe('header.payload.signature');
  });

  const problem = { type: 'urn:license-activation:problem:conflict', title: 'The current state does not allow this change', status: 409, detail: 'this request file was used before', code: 'CONFLICT', requestId: 'r-2' };

  it.each([
    ['a saved refusal with its headers', `HTTP/1.1 409 Conflict\ncontent-type: application/problem+json\n\n${JSON.stringify(problem)}`, /HTTP answer with status 409: CONFLICT: this request file was used before, not a license file/],
    ['a saved refusal without headers', JSON.stringify(problem), /the service's refusal, not a license file: CONFLICT: this request file was used before \(status 409\)/],
    ['JSON without a token', '{"license":"x"}', /JSON without a "token"/],
    ['broken JSON', '{"token":', /not valid JSON/],
    ['text that is no token', 'licence: pending', /not a license token/],
  ])('tells %s apart from a bad token', (_, contents, detail) => {
    expect(() => licenseFileToken(contents)).toThrow(expect.objectContaining({ code: 'TOKEN_REJECTED', detail: expect.stringMatching(detail) }));
  });
});
