import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { installationIdOf, publicJwkOf } from '../../../packages/client/src/installation-key.js';
import type { InstallationKey, KeyStore } from '../../../packages/client/src/installation-key.js';
import type { CommandResult, MachineProbes } from '../../../packages/client/src/machine-facts.js';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';

/** The fixed "now" of the client tests. */
export const now = new Date('2026-03-01T12:00:00.000Z');
export const nowSeconds = now.getTime() / 1000;
export const daySeconds = 24 * 60 * 60;

/** A vendor signing key the tests pin, and tokens signed with it. */
export interface TestSigner {
  readonly kid: string;
  readonly jwks: { keys: JWK[] };
  /** A compact JWS of `claims`, header `{alg: 'ES256', typ: 'license+jwt', kid}` unless overridden. */
  sign(claims: object, header?: { typ?: string; kid?: string }): Promise<string>;
}

export async function testSigner(kid = 'vendor-key-2026'): Promise<TestSigner> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...publicJwkOf(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    kid,
    jwks: { keys: [jwk] },
    sign: (claims, header = {}) =>
      new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'ES256', typ: header.typ ?? 'license+jwt', kid: header.kid ?? kid }).sign(privateKey),
  };
}

/** An installation key kept in memory, and its id. */
export interface TestInstallation {
  readonly key: InstallationKey;
  readonly installationId: string;
  readonly keyStore: KeyStore;
}

export async function testInstallation(): Promise<TestInstallation> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const key: InstallationKey = { privateKey: privateKey as CryptoKey, publicJwk: publicJwkOf(await exportJWK(publicKey)) };
  return { key, installationId: await installationIdOf(key.publicJwk), keyStore: { loadOrCreate: async () => key } };
}

const authserverCapabilities = ['admin-login', 'activation', 'user-login', 'otp-verification', 'user-provisioning', 'reporting'];

/** The claims of a full-mode authserver token for `installationId`, issued an hour before `now`. */
export function licenseClaims(installationId: string, overrides: Partial<LicenseTokenClaims> = {}): LicenseTokenClaims {
  const iat = nowSeconds - 3600;
  return {
    iss: 'license-activation',
    aud: 'authserver',
    sub: installationId,
    cnf: { jkt: installationId },
    jti: 'token-1',
    iat,
    exp: iat + 30 * daySeconds,
    refreshAfter: iat + daySeconds,
    customerId: 'acc_customer',
    mode: 'full',
    features: authserverCapabilities,
    seats: { users: 50, consumed: 3 },
    licenses: [{ id: 'lic_users', type: 'users', quantity: 50, status: 'active' }],
    warnings: [],
    ...overrides,
  };
}

/** Machine probes that answer from fixtures: files by path, commands by their command line. */
export function fixtureProbes(machine: { files?: Record<string, string>; commands?: Record<string, CommandResult>; hostname?: string } = {}): MachineProbes {
  const files = machine.files ?? {};
  const commands = machine.commands ?? {};
  return {
    readText: async (path) => files[path],
    run: async (command, args) => commands[[command, ...args].join(' ')],
    hostname: () => machine.hostname ?? 'srv-01.example',
  };
}

/** A physical machine with a machine id. */
export const physicalMachine = fixtureProbes({
  files: { '/etc/machine-id': '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n', '/proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme de pse\n' },
  commands: { 'systemd-detect-virt --vm': { exitCode: 1, stdout: 'none\n' } },
});
