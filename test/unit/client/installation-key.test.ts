import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileKeyStore, installationIdOf, keyFileName } from '../../../packages/client/src/installation-key.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'client-key-')), 'state');
});

afterEach(async () => {
  await rm(join(stateDir, '..'), { recursive: true, force: true });
});

describe('fileKeyStore', () => {
  it('creates a P-256 key in a file only its owner can read, in a directory only its owner can enter', async () => {
    const key = await fileKeyStore(stateDir).loadOrCreate();

    expect((await stat(join(stateDir, keyFileName))).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(key.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) });
  });

  it('gives every later load, in any process, the same key', async () => {
    const first = await fileKeyStore(stateDir).loadOrCreate();
    const stored = await readFile(join(stateDir, keyFileName), 'utf8');

    const again = await fileKeyStore(stateDir).loadOrCreate();

    expect(again.publicJwk).toEqual(first.publicJwk);
    expect(await readFile(join(stateDir, keyFileName), 'utf8')).toBe(stored);
  });

  it('loads a private key that signs what its public key verifies', async () => {
    const key = await fileKeyStore(stateDir).loadOrCreate();

    const jws = await new SignJWT({ probe: true }).setProtectedHeader({ alg: 'ES256', jwk: key.publicJwk }).sign(key.privateKey);

    expect((await jwtVerify(jws, key.publicJwk)).payload.probe).toBe(true);
  });
});

describe('installationIdOf', () => {
  it('is the RFC 7638 thumbprint of the public key, whatever other members the JWK carries', async () => {
    const { publicJwk } = await fileKeyStore(stateDir).loadOrCreate();

    expect(await installationIdOf({ ...publicJwk, kid: 'ignored', use: 'sig' })).toBe(await calculateJwkThumbprint(publicJwk, 'sha256'));
    expect(await installationIdOf(publicJwk)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
