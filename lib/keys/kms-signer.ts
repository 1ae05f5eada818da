import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { derToJoseSignature } from './ecdsa-signature.js';
import { publishedJwk } from './public-jwk.js';
import type { PublishedJwk } from './public-jwk.js';
import type { TokenSigner } from './token-signer.js';

interface KmsPublicKey {
  /** The key's ARN, as KMS resolved the configured id (which may be an alias). */
  readonly keyArn: string;
  readonly jwk: PublishedJwk;
}

/**
 * Signs with an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256); the private key never leaves KMS.
 * Each public key is fetched once per container; KMS errors reach the caller unchanged.
 */
export class KmsTokenSigner implements TokenSigner {
  private readonly publicKeys = new Map<string, Promise<KmsPublicKey>>();

  constructor(
    private readonly client: KMSClient,
    private readonly signingKeyId: string,
    private readonly publishedKeyIds: readonly string[] = [],
  ) {
    // Fetched during the cold start, so the first token does not wait for it. A failure is
    // dropped from the cache, and whoever asks next tries again and sees the error.
    this.publicKey(signingKeyId).catch(() => undefined);
  }

  async keyId(): Promise<string> {
    return (await this.publicKey(this.signingKeyId)).jwk.kid;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    // Signing with the ARN behind the kid: an alias moved to another key cannot make them disagree.
    const { keyArn } = await this.publicKey(this.signingKeyId);
    const { Signature } = await this.client.send(
      new SignCommand({
        KeyId: keyArn,
        Message: createHash('sha256').update(signingInput).digest(),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!Signature) throw new Error(`KMS returned no signature for ${keyArn}`);
    return derToJoseSignature(Signature);
  }

  async publicJwks(): Promise<PublishedJwk[]> {
    const keys = await Promise.all([this.signingKeyId, ...this.publishedKeyIds].map((keyId) => this.publicKey(keyId)));
    // The signing key may also be listed among the published ones (by ARN or alias): publish it once, first.
    return [...new Map(keys.map(({ jwk }) => [jwk.kid, jwk])).values()];
  }

  private publicKey(keyId: string): Promise<KmsPublicKey> {
    let cached = this.publicKeys.get(keyId);
    if (!cached) {
      cached = this.fetchPublicKey(keyId).catch((error: unknown) => {
        this.publicKeys.delete(keyId);
        throw error;
      });
      this.publicKeys.set(keyId, cached);
    }
    return cached;
  }

  private async fetchPublicKey(keyId: string): Promise<KmsPublicKey> {
    const { KeyId, PublicKey } = await this.client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!PublicKey) throw new Error(`KMS returned no public key for ${keyId}`);
    const jwk = await publishedJwk(createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' }));
    return { keyArn: KeyId ?? keyId, jwk };
  }
}
