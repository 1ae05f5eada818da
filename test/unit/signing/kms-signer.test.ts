import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, NotFoundException, SignCommand } from '@aws-sdk/client-kms';
import type { GetPublicKeyCommandInput, SignCommandInput } from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint, createLocalJWKSet, errors, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsTokenSigner } from '#lib/keys/kms-signer.js';
import { signJwt } from '#lib/keys/sign-jwt.js';
import type { TokenSigner } from '#lib/keys/token-signer.js';

/** A KMS key the fake holds: its private half signs, its public half is what GetPublicKey returns. */
function kmsKey(arn: string, privateJwk: JsonWebKey & { d: string }) {
  const publicKey = createPublicKey(createPrivateKey({ key: privateJwk, format: 'jwk' }));
  return {
    arn,
    secretKey: Buffer.from(privateJwk.d, 'base64url'),
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    publicJwk: { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y },
  };
}

const currentKey = kmsKey('arn:aws:kms:eu-west-1:111122223333:key/11111111-1111-4111-8111-111111111111', {
  kty: 'EC',
  crv: 'P-256',
  x: 'eq-Es5DVBume-mIjrU8vEbUoHK6ecOIhmQnU4X0PxQs',
  y: 'lpPQRpynxAKdXRqHAyLB9-8dA8n7SdUxcM_rCSUOA88',
  d: 'fDjVqxFRmv8AX5LY6ppE6UfLcgtMjSt2_7tdyGxCOf4',
});
const previousKey = kmsKey('arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-4222-8222-222222222222', {
  kty: 'EC',
  crv: 'P-256',
  x: '_RuFzt7OOFI-Pf0d6sSIhsbDYqg2ylIvk_OINVmkWWs',
  y: '7wWqZEWZu_PSAj_bPSRHNh2cpn_O58nmXR71gJ4tgm8',
  d: '7RdamOAwwS16BQom3Jxc_db33nGvPDgWSquAD0h5kPY',
});
const signingAlias = 'alias/license-tokens';
const aliases: Readonly<Record<string, string>> = { [signingAlias]: currentKey.arn };
const keysByArn = new Map([currentKey, previousKey].map((key) => [key.arn, key]));

const kms = mockClient(KMSClient);
/** Every DER signature the fake KMS returned, in order. */
let signaturesReturned: Uint8Array[] = [];

function keyOf(keyId: string | undefined) {
  const key = keysByArn.get(aliases[keyId ?? ''] ?? keyId ?? '');
  if (!key) throw new NotFoundException({ message: `Key '${keyId}' does not exist`, $metadata: {} });
  return key;
}

function getPublicKey(input: GetPublicKeyCommandInput) {
  const key = keyOf(input.KeyId);
  return { KeyId: key.arn, PublicKey: key.spki, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] };
}

/** Signs like KMS: ECDSA over the digest it receives (no second hash), answered in DER. */
function signDigest(input: SignCommandInput) {
  const key = keyOf(input.KeyId);
  if (input.MessageType !== 'DIGEST' || input.SigningAlgorithm !== 'ECDSA_SHA_256' || input.Message?.length !== 32) {
    throw new Error('the fake KMS signs SHA-256 digests with ECDSA_SHA_256 only');
  }
  const signature = p256.sign(input.Message, key.secretKey, { prehash: false, format: 'der' });
  signaturesReturned.push(signature);
  return { KeyId: key.arn, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' };
}

const throttling = () =>
  new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

const payload = { iss: 'license-activation', aud: 'vault', sub: 'installation-1', iat: 1_767_225_600 };

function newSigner(publishedKeyIds: readonly string[] = [], signingKeyId = signingAlias) {
  return new KmsTokenSigner(new KMSClient({ region: 'eu-west-1' }), signingKeyId, publishedKeyIds);
}

async function verify(token: string, signer: TokenSigner) {
  return jwtVerify(token, createLocalJWKSet({ keys: await signer.publicJwks() }), { algorithms: ['ES256'], typ: 'license+jwt' });
}

beforeEach(() => {
  signaturesReturned = [];
  kms.on(GetPublicKeyCommand).callsFake(getPublicKey);
  kms.on(SignCommand).callsFake(signDigest);
});

afterEach(() => {
  kms.reset();
});

describe('KmsTokenSigner', () => {
  it('signs a token that verifies against its published keys', async () => {
    const signer = newSigner();

    const token = await signJwt(signer, { typ: 'license+jwt' }, payload);

    const { payload: verified, protectedHeader } = await verify(token, signer);
    expect(verified).toEqual(payload);
    expect(protectedHeader.kid).toBe(await calculateJwkThumbprint(currentKey.publicJwk, 'sha256'));
  });

  it('asks KMS to sign the SHA-256 digest of the signing input with the key the alias resolved to', async () => {
    const token = await signJwt(newSigner(), { typ: 'license+jwt' }, payload);

    const [header, body] = token.split('.');
    const calls = kms.commandCalls(SignCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: currentKey.arn, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(input?.Message ?? []).equals(createHash('sha256').update(`${header}.${body}`).digest())).toBe(true);
  });

  it('starts fetching the signing key’s public key as soon as it is constructed', () => {
    newSigner();

    expect(kms.commandCalls(GetPublicKeyCommand, { KeyId: signingAlias })).toHaveLength(1);
  });

  it('calls Sign once per token and GetPublicKey once for many tokens', async () => {
    const signer = newSigner();

    for (let n = 0; n < 5; n += 1) await signJwt(signer, { typ: 'license+jwt' }, { ...payload, n });
    await signer.publicJwks();

    expect(kms.commandCalls(SignCommand)).toHaveLength(5);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('publishes the signing key first, then each further key once, as public ES256 JWKs', async () => {
    const signer = newSigner([previousKey.arn, currentKey.arn]);

    const jwks = await signer.publicJwks();

    expect(jwks).toEqual([
      { ...currentKey.publicJwk, kid: await calculateJwkThumbprint(currentKey.publicJwk, 'sha256'), alg: 'ES256', use: 'sig' },
      { ...previousKey.publicJwk, kid: await calculateJwkThumbprint(previousKey.publicJwk, 'sha256'), alg: 'ES256', use: 'sig' },
    ]);
  });

  it('verifies a token of the previous key against the key set published after a rotation', async () => {
    const beforeRotation = await signJwt(newSigner([], previousKey.arn), { typ: 'license+jwt' }, payload);

    const afterRotation = newSigner([previousKey.arn]);

    await expect(verify(beforeRotation, afterRotation)).resolves.toMatchObject({ payload });
  });

  it('produces a token that fails verification once its payload is changed', async () => {
    const signer = newSigner();
    const [header, , signature] = (await signJwt(signer, { typ: 'license+jwt' }, payload)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, aud: 'authserver' })).toString('base64url');

    await expect(verify(`${header}.${forged}.${signature}`, signer)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  it.each([
    ['r', (der: Uint8Array) => p256.Signature.fromBytes(der, 'der').r],
    ['s', (der: Uint8Array) => p256.Signature.fromBytes(der, 'der').s],
  ])('signs a token that verifies when KMS returns an %s shorter than 32 bytes', async (_, component) => {
    // The fake signs deterministically (RFC 6979), so the same payload always finds the same short signature.
    const signer = newSigner();
    let token: string | undefined;
    for (let n = 0; n < 4_000 && token === undefined; n += 1) {
      const candidate = await signJwt(signer, { typ: 'license+jwt' }, { ...payload, n });
      if (component(signaturesReturned.at(-1) ?? new Uint8Array()) < 2n ** 248n) token = candidate;
    }

    expect(token).toBeDefined();
    await expect(verify(token ?? '', signer)).resolves.toBeDefined();
  });

  it('lets a KMS throttling error on Sign through unchanged', async () => {
    const error = throttling();
    kms.on(SignCommand).rejects(error);

    await expect(signJwt(newSigner(), { typ: 'license+jwt' }, payload)).rejects.toBe(error);
  });

  it('lets a failed public key fetch through and fetches the key again on the next call', async () => {
    const error = throttling();
    kms.on(GetPublicKeyCommand).rejectsOnce(error).callsFake(getPublicKey);
    const signer = newSigner();

    await expect(signer.keyId()).rejects.toBe(error);
    await expect(signer.keyId()).resolves.toBe(await calculateJwkThumbprint(currentKey.publicJwk, 'sha256'));
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  it('refuses a KMS key that is not on the P-256 curve', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });
    kms.on(GetPublicKeyCommand).resolves({ KeyId: currentKey.arn, PublicKey: p384 });

    await expect(newSigner().keyId()).rejects.toThrow(TypeError);
  });
});
