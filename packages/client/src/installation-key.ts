import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { calculateJwkThumbprint, importJWK } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { readOrCreateKeyFile } from '@license-activation/contract/key-file';

/** The installation's P-256 key pair: it signs DPoP proofs and offline request files. */
export interface InstallationKey {
  readonly privateKey: CryptoKey;
  /** The public half, `{kty, crv, x, y}`: what proofs carry in their `jwk` header. */
  readonly publicJwk: JWK;
}

/**
 * Where the installation key lives. The default keeps it in a file under the state directory;
 * a vendor may plug in an OS key store or an HSM instead.
 *
 * @example
 * ```ts
 * const keyStore: KeyStore = { loadOrCreate: () => myVault.p256Key('license-installation') };
 * const client = new LicenseClient({ ...options, keyStore });
 * ```
 */
export interface KeyStore {
  /** The installation's key: created on first use, then the same one for the life of the installation. */
  loadOrCreate(): Promise<InstallationKey>;
}

/** The file, under the state directory, that holds the installation's private key as a JWK (mode 0600). */
export const keyFileName = 'installation-key.json';

function newPrivateJwk(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

/** The public members of an EC key: a proof must never carry `d`. */
export function publicJwkOf({ kty, crv, x, y }: JWK): JWK {
  return { kty, crv, x, y };
}

/**
 * A key store that keeps the private key as a JWK file (mode 0600) in `stateDir`, created on first
 * use. Two processes starting at once end up with the same key (see `readOrCreateKeyFile`).
 *
 * @example
 * ```ts
 * const key = await fileKeyStore('/var/lib/acme/license').loadOrCreate();
 * ```
 */
export function fileKeyStore(stateDir: string): KeyStore {
  const path = join(stateDir, keyFileName);
  return {
    async loadOrCreate() {
      const jwk = JSON.parse(await readOrCreateKeyFile(path, newPrivateJwk)) as JWK;
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new TypeError(`${path} does not hold a P-256 private key`);
      return { privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey, publicJwk: publicJwkOf(jwk) };
    },
  };
}

/**
 * The installation id: the RFC 7638 thumbprint (SHA-256, base64url) of the installation's public key,
 * exactly as the service derives it from a proof.
 *
 * @example
 * ```ts
 * const installationId = await installationIdOf(key.publicJwk);
 * ```
 */
export function installationIdOf(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwkOf(publicJwk), 'sha256');
}
