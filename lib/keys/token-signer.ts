import type { JWK } from 'jose';

/** Signs license tokens (ES256) and publishes the public keys that verify them. */
export interface TokenSigner {
  /** kid of the signing key: the RFC 7638 JWK thumbprint (SHA-256, base64url) of its public key. */
  keyId(): Promise<string>;
  /** ES256 signature, raw r‖s (64 bytes), over the given JWS signing input (the signer hashes it with SHA-256). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** Every public key to publish, the signing key first, each a JWK with kid, alg 'ES256', use 'sig'. */
  publicJwks(): Promise<JWK[]>;
}
