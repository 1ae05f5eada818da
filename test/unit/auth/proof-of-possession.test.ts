import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifySelfSignedJws } from '#lib/auth/proof-of-possession.js';
import { ProblemError } from '@license-activation/contract/problem';

const now = new Date('2026-11-22T12:00:00Z');
const claims = { jti: 'a', iat: Math.floor(now.getTime() / 1000) };

async function keyPair(alg: 'ES256' | 'ES384' = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey) };
}

const signedWith = (privateKey: CryptoKey, header: { alg: string; jwk: JWK }, payload: object = claims) =>
  new SignJWT({ ...payload }).setProtectedHeader({ typ: 'dpop+jwt', ...header }).sign(privateKey);

async function refusal(jws: string): Promise<{ code: string; detail: string }> {
  const error = await verifySelfSignedJws(jws, 'dpop+jwt', now).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ProblemError)) throw new Error(`expected a problem, got ${String(error)}`);
  return { code: error.code, detail: error.message };
}

describe('verifySelfSignedJws', () => {
  it('answers the claims, the public key and the thumbprint of the key that signed', async () => {
    const { privateKey, jwk } = await keyPair();

    const verified = await verifySelfSignedJws(await signedWith(privateKey, { alg: 'ES256', jwk }), 'dpop+jwt', now);

    expect(verified).toEqual({
      payload: claims,
      jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    });
  });

  it("refuses a JWS whose header carries another key than the one that signed: the header key's thumbprint is never answered", async () => {
    const signer = await keyPair();
    const other = await keyPair();

    expect(await refusal(await signedWith(signer.privateKey, { alg: 'ES256', jwk: other.jwk }))).toMatchObject({ code: 'INVALID_PROOF' });
  });

  it('refuses a key that is not P-256, before verifying anything', async () => {
    const { privateKey, jwk } = await keyPair('ES384');

    expect(await refusal(await signedWith(privateKey, { alg: 'ES384', jwk }))).toEqual({
      code: 'INVALID_PROOF',
      detail: 'the proof must carry a P-256 public key in its jwk header',
    });
  });

  it('refuses a private key in the header', async () => {
    const { privateKey } = await keyPair();
    const privateJwk = await exportJWK(privateKey);

    expect(await refusal(await signedWith(privateKey, { alg: 'ES256', jwk: privateJwk }))).toMatchObject({ code: 'INVALID_PROOF' });
  });

  it.each(['not-a-jws', 'a.b.c', ''])('refuses %j as not a compact JWS', async (jws) => {
    expect(await refusal(jws)).toEqual({ code: 'INVALID_PROOF', detail: 'the proof is not a compact JWS' });
  });

  it('answers PROOF_EXPIRED for an exp in the past', async () => {
    const { privateKey, jwk } = await keyPair();
    const expired = { ...claims, exp: claims.iat - 1 };

    expect(await refusal(await signedWith(privateKey, { alg: 'ES256', jwk }, expired))).toMatchObject({ code: 'PROOF_EXPIRED' });
  });

  it('refuses a payload that is not the one signed', async () => {
    const { privateKey, jwk } = await keyPair();
    const [header, , signature] = (await signedWith(privateKey, { alg: 'ES256', jwk })).split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, jti: 'b' })).toString('base64url');

    expect(await refusal(`${header}.${otherPayload}.${signature}`)).toEqual({ code: 'INVALID_PROOF', detail: 'the proof is not valid: its signature does not verify with its jwk' });
  });

  it.each([
    ['another alg', { alg: 'HS256' }, 'the proof is not valid: its alg must be ES256'],
    ['another typ', { typ: 'jwt' }, 'the proof is not valid: its typ must be dpop+jwt'],
    ['a critical extension', { crit: ['b64'], b64: true }, 'the proof is not valid: it names header extensions (crit, b64)'],
  ])('refuses a header with %s, whatever the signature', async (_, change, detail) => {
    const { privateKey, jwk } = await keyPair();
    const [, payload, signature] = (await signedWith(privateKey, { alg: 'ES256', jwk })).split('.');
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...change })).toString('base64url');

    expect(await refusal(`${header}.${payload}.${signature}`)).toEqual({ code: 'INVALID_PROOF', detail });
  });

  it('refuses an nbf in the future and an exp that is not a number', async () => {
    const { privateKey, jwk } = await keyPair();

    expect(await refusal(await signedWith(privateKey, { alg: 'ES256', jwk }, { ...claims, nbf: claims.iat + 60 }))).toMatchObject({ code: 'INVALID_PROOF' });
    expect(await refusal(await signedWith(privateKey, { alg: 'ES256', jwk }, { ...claims, exp: 'soon' }))).toMatchObject({ code: 'INVALID_PROOF' });
  });
});
