import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalTokenSigner, signingKeyFileName } from '#lib/keys/local-signer.js';
import { signJwt } from '#lib/keys/sign-jwt.js';

const existingKey = {
  kty: 'EC',
  crv: 'P-256',
  x: 'eq-Es5DVBume-mIjrU8vEbUoHK6ecOIhmQnU4X0PxQs',
  y: 'lpPQRpynxAKdXRqHAyLB9-8dA8n7SdUxcM_rCSUOA88',
  d: 'fDjVqxFRmv8AX5LY6ppE6UfLcgtMjSt2_7tdyGxCOf4',
};
const payload = { iss: 'license-activation', aud: 'modeler', sub: 'installation-1', iat: 1_767_225_600 };

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-signer-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('LocalTokenSigner', () => {
  it('creates a private P-256 JWK file readable by its owner only on first use', async () => {
    await new LocalTokenSigner(dataDir).keyId();

    const path = join(dataDir, signingKeyFileName);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
  });

  it('signs with the key file it finds instead of creating one', async () => {
    await writeFile(join(dataDir, signingKeyFileName), JSON.stringify(existingKey), { mode: 0o600 });

    const kid = await new LocalTokenSigner(dataDir).keyId();

    expect(kid).toBe(await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: existingKey.x, y: existingKey.y }, 'sha256'));
  });

  it('signs a token that a later instance over the same data directory verifies', async () => {
    const token = await signJwt(new LocalTokenSigner(dataDir), { typ: 'license+jwt' }, payload);

    const keys = await new LocalTokenSigner(dataDir).publicJwks();

    const { payload: verified } = await jwtVerify(token, createLocalJWKSet({ keys }), { algorithms: ['ES256'], typ: 'license+jwt' });
    expect(verified).toEqual(payload);
  });

  it('publishes its one public key as an ES256 signing JWK without the private part', async () => {
    const signer = new LocalTokenSigner(dataDir);

    const jwks = await signer.publicJwks();

    expect(jwks).toEqual([
      { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: await signer.keyId(), alg: 'ES256', use: 'sig' },
    ]);
  });

  it('settles on one key when instances race to create it', async () => {
    const signers = Array.from({ length: 8 }, () => new LocalTokenSigner(dataDir));

    const kids = await Promise.all(signers.map((signer) => signer.keyId()));

    expect(new Set(kids).size).toBe(1);
    expect(await readdir(dataDir)).toEqual([signingKeyFileName]);
  });
});
