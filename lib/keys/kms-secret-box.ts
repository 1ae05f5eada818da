import { DecryptCommand, EncryptCommand, IncorrectKeyException, InvalidCiphertextException } from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { SecretBoxError } from './secret-box.js';
import type { SecretBox, SecretContext } from './secret-box.js';

/**
 * Seals with a symmetric KMS key; the context is KMS's encryption context, so KMS itself refuses
 * to decrypt under another one. Sealed values are KMS ciphertext blobs in base64.
 */
export class KmsSecretBox implements SecretBox {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async seal(plaintext: string, context: SecretContext): Promise<string> {
    const { CiphertextBlob } = await this.client.send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: Buffer.from(plaintext, 'utf8'), EncryptionContext: { ...context } }),
    );
    if (!CiphertextBlob) throw new Error(`KMS returned no ciphertext for ${this.keyId}`);
    return Buffer.from(CiphertextBlob).toString('base64');
  }

  async open(sealed: string, context: SecretContext): Promise<string> {
    try {
      const { Plaintext } = await this.client.send(
        new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: Buffer.from(sealed, 'base64'), EncryptionContext: { ...context } }),
      );
      if (!Plaintext) throw new Error(`KMS returned no plaintext for ${this.keyId}`);
      return Buffer.from(Plaintext).toString('utf8');
    } catch (error) {
      if (error instanceof InvalidCiphertextException || error instanceof IncorrectKeyException) {
        throw new SecretBoxError('the sealed value does not open with this key and context', { cause: error });
      }
      throw error;
    }
  }
}
