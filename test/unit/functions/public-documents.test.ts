import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/public-documents/index.js';
import { resetConfig } from '#lib/platform/config.js';
import { resetSigner, signer } from '#lib/keys/process-signer.js';
import { unavailableRetryAfterSeconds } from '#lib/http/problem-response.js';
import { lambdaContext } from '#dev/lambda-context.js';
import { signJwt } from '#lib/keys/sign-jwt.js';
import { eventFor } from '../../support/api.js';

/** A JWKS request as API Gateway sends it, and the id every answer to it must carry. */
const event = await eventFor('jwks');
const requestId = event.requestContext.requestId;

const invoke = () => handler(structuredClone(event), lambdaContext('public-documents'));

const kms = mockClient(KMSClient);
const currentKey = {
  arn: 'arn:aws:kms:eu-west-1:111122223333:key/11111111-1111-4111-8111-111111111111',
  jwk: { kty: 'EC', crv: 'P-256', x: 'eq-Es5DVBume-mIjrU8vEbUoHK6ecOIhmQnU4X0PxQs', y: 'lpPQRpynxAKdXRqHAyLB9-8dA8n7SdUxcM_rCSUOA88' },
};
const previousKey = {
  arn: 'arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-4222-8222-222222222222',
  jwk: { kty: 'EC', crv: 'P-256', x: '_RuFzt7OOFI-Pf0d6sSIhsbDYqg2ylIvk_OINVmkWWs', y: '7wWqZEWZu_PSAj_bPSRHNh2cpn_O58nmXR71gJ4tgm8' },
};

function answerGetPublicKey(key: typeof currentKey) {
  const spki = createPublicKey({ key: key.jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  kms.on(GetPublicKeyCommand, { KeyId: key.arn }).resolves({ KeyId: key.arn, PublicKey: spki, KeySpec: 'ECC_NIST_P256' });
}

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'public-documents-'));
  vi.stubEnv('DATA_DIR', dataDir);
  vi.stubEnv('SIGNER', 'local');
  resetConfig();
  resetSigner();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  resetConfig();
  resetSigner();
  kms.reset();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /.well-known/jwks.json', () => {
  it('answers 200 with the local signing key as a public ES256 JWK, cacheable for five minutes', async () => {
    const response = await invoke();

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'X-Request-Id': requestId,
      'Cache-Control': 'public, max-age=300',
      'Content-Type': 'application/json',
    });
    const { keys } = JSON.parse(response.body) as JSONWebKeySet;
    expect(keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' },
    ]);
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('publishes a key set that verifies the tokens the process signs', async () => {
    const payload = { iss: 'license-activation', aud: 'vault', sub: 'installation-1', iat: 1_767_225_600 };
    const token = await signJwt(signer(), { typ: 'license+jwt' }, payload);

    const jwks = JSON.parse((await invoke()).body) as JSONWebKeySet;

    const { payload: verified } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['ES256'], typ: 'license+jwt' });
    expect(verified).toEqual(payload);
  });

  it('publishes the KMS signing key first, then the key still published after a rotation', async () => {
    vi.stubEnv('SIGNER', 'kms');
    vi.stubEnv('SIGNING_KEY_ID', currentKey.arn);
    vi.stubEnv('PUBLISHED_KEY_IDS', previousKey.arn);
    resetConfig();
    answerGetPublicKey(currentKey);
    answerGetPublicKey(previousKey);

    const response = await invoke();

    expect(response.statusCode).toBe(200);
    const { keys } = JSON.parse(response.body) as JSONWebKeySet;
    expect(keys).toEqual([
      { ...currentKey.jwk, kid: await calculateJwkThumbprint(currentKey.jwk, 'sha256'), alg: 'ES256', use: 'sig' },
      { ...previousKey.jwk, kid: await calculateJwkThumbprint(previousKey.jwk, 'sha256'), alg: 'ES256', use: 'sig' },
    ]);
  });

  it('asks KMS for each public key once across requests', async () => {
    vi.stubEnv('SIGNER', 'kms');
    vi.stubEnv('SIGNING_KEY_ID', currentKey.arn);
    vi.stubEnv('PUBLISHED_KEY_IDS', previousKey.arn);
    resetConfig();
    answerGetPublicKey(currentKey);
    answerGetPublicKey(previousKey);

    await invoke();
    await invoke();

    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  it('answers 503 UNAVAILABLE with Retry-After when KMS is throttling', async () => {
    vi.stubEnv('SIGNER', 'kms');
    vi.stubEnv('SIGNING_KEY_ID', currentKey.arn);
    resetConfig();
    kms.on(GetPublicKeyCommand).rejects(
      new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }),
    );

    const response = await invoke();

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({
      'X-Request-Id': requestId,
      'Retry-After': String(unavailableRetryAfterSeconds),
      'Cache-Control': 'no-store',
      'Content-Type': 'application/problem+json',
    });
    expect(JSON.parse(response.body)).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });
});
