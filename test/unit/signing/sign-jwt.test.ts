import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { publishedJwk } from '#lib/keys/public-jwk.js';
import { signJwt } from '#lib/keys/sign-jwt.js';
import type { TokenSigner } from '#lib/keys/token-signer.js';

const privateKey = createPrivateKey({
  key: {
    kty: 'EC',
    crv: 'P-256',
    x: 'eq-Es5DVBume-mIjrU8vEbUoHK6ecOIhmQnU4X0PxQs',
    y: 'lpPQRpynxAKdXRqHAyLB9-8dA8n7SdUxcM_rCSUOA88',
    d: 'fDjVqxFRmv8AX5LY6ppE6UfLcgtMjSt2_7tdyGxCOf4',
  },
  format: 'jwk',
});
const publicJwk = await publishedJwk(createPublicKey(privateKey));

function inMemorySigner() {
  return {
    keyId: vi.fn(async () => publicJwk.kid),
    sign: vi.fn(async (signingInput: Uint8Array) => sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
    publicJwks: vi.fn(async () => [publicJwk]),
  } satisfies TokenSigner;
}

const payload = { iss: 'license-activation', aud: 'vault', sub: 'installation-1', iat: 1_767_225_600, hostname: 'Zürich-01' };

async function verify(token: string) {
  return jwtVerify(token, createLocalJWKSet({ keys: [publicJwk] }), { algorithms: ['ES256'], typ: 'license+jwt' });
}

describe('signJwt', () => {
  it('produces a token that verifies with the signer’s public key and carries the payload unchanged', async () => {
    const token = await signJwt(inMemorySigner(), { typ: 'license+jwt' }, payload);

    const { payload: verified } = await verify(token);

    expect(verified).toEqual(payload);
  });

  it('protects exactly alg ES256, the given typ and the signer’s kid', async () => {
    const token = await signJwt(inMemorySigner(), { typ: 'license+jwt' }, payload);

    expect(decodeProtectedHeader(token)).toStrictEqual({ alg: 'ES256', typ: 'license+jwt', kid: publicJwk.kid });
  });

  it('calls sign once, over the header and payload segments', async () => {
    const signer = inMemorySigner();

    const token = await signJwt(signer, { typ: 'license+jwt' }, payload);

    const [header, body] = token.split('.');
    expect(signer.sign).toHaveBeenCalledTimes(1);
    expect(Buffer.from(signer.sign.mock.calls[0]?.[0] ?? []).toString('ascii')).toBe(`${header}.${body}`);
  });

  it('produces a token that fails verification once its payload is changed', async () => {
    const token = await signJwt(inMemorySigner(), { typ: 'license+jwt' }, payload);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, aud: 'authserver' })).toString('base64url');

    await expect(verify(`${header}.${forged}.${signature}`)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });
});
