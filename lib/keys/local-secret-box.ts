import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { keyFileLoader } from '@license-activation/contract/key-file';
import { SecretBoxError } from './secret-box.js';
import type { SecretBox, SecretContext } from './secret-box.js';

/** The AES-256 key file of the local secret box, under the data directory. */
export const secretBoxKeyFileName = 'secret-box.key';

const version = 'v1';
const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;

function parseKey(content: string): Buffer {
  const key = Buffer.from(content.trim(), 'base64');
  if (key.length !== keyBytes) throw new TypeError(`${secretBoxKeyFileName} must hold a base64 ${keyBytes * 8}-bit key`);
  return key;
}

/** The context as additional authenticated data: its entries sorted by name, so key order does not matter. */
function additionalData(context: SecretContext): Buffer {
  const entries = Object.entries(context).sort(([left], [right]) => (left < right ? -1 : 1));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

function parseSealed(sealed: string): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const [sealedVersion, ivText, bodyText, ...rest] = sealed.split('.');
  const iv = Buffer.from(ivText ?? '', 'base64url');
  const body = Buffer.from(bodyText ?? '', 'base64url');
  if (sealedVersion !== version || rest.length > 0 || iv.length !== ivBytes || body.length < tagBytes) {
    throw new SecretBoxError(`not a ${version} sealed value`);
  }
  return { iv, ciphertext: body.subarray(0, -tagBytes), tag: body.subarray(-tagBytes) };
}

/**
 * Seals with AES-256-GCM under a key file in the data directory, created on first use: `npm start`
 * and the tests, where there is no KMS. Sealed values read `v1.<iv>.<ciphertext‖tag>` (base64url).
 */
export class LocalSecretBox implements SecretBox {
  private readonly key: () => Promise<Buffer>;

  constructor(dataDir: string) {
    this.key = keyFileLoader(join(dataDir, secretBoxKeyFileName), {
      generate: () => randomBytes(keyBytes).toString('base64'),
      parse: parseKey,
    });
  }

  async seal(plaintext: string, context: SecretContext): Promise<string> {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv, { authTagLength: tagBytes });
    cipher.setAAD(additionalData(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [version, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  async open(sealed: string, context: SecretContext): Promise<string> {
    const { iv, ciphertext, tag } = parseSealed(sealed);
    const decipher = createDecipheriv('aes-256-gcm', await this.key(), iv, { authTagLength: tagBytes });
    decipher.setAAD(additionalData(context));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError('the sealed value does not open with this key and context', { cause: error });
    }
  }
}
