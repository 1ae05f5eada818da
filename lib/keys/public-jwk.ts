import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';

/** A public key as the JWKS publishes it. */
export interface PublishedJwk extends JWK {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  /** RFC 7638 thumbprint (SHA-256, base64url) of the key. */
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

/**
 * The published form of a P-256 public key, its kid the key's thumbprint, so that the kid names
 * the key itself rather than where it is stored. Any other kind of key is a configuration error.
 */
export async function publishedJwk(publicKey: KeyObject): Promise<PublishedJwk> {
  if (publicKey.type !== 'public') throw new TypeError('a published key must be a public key');
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) {
    throw new TypeError('a token signing key must be an EC P-256 public key');
  }
  const kid = await calculateJwkThumbprint({ kty, crv, x, y }, 'sha256');
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}
