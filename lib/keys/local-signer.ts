import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { keyFileLoader } from '@license-activation/contract/key-file';
import { publishedJwk } from './public-jwk.js';
import type { PublishedJwk } from './public-jwk.js';
import type { TokenSigner } from './token-signer.js';

/** The private JWK file of the local signing key, under the data directory. */
export const signingKeyFileName = 'signing-key.json';

interface LocalSigningKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: PublishedJwk;
}

function generateSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

async function parseSigningKey(content: string): Promise<LocalSigningKey> {
  const privateKey = createPrivateKey({ key: JSON.parse(content) as JsonWebKey, format: 'jwk' });
  return { privateKey, publicJwk: await publishedJwk(createPublicKey(privateKey)) };
}

/**
 * Signs with a P-256 key kept as a private JWK file in the data directory, created on first use:
 * `npm start` and the tests, where there is no KMS. Tokens outlive restarts because the key does.
 */
export class LocalTokenSigner implements TokenSigner {
  private readonly key: () => Promise<LocalSigningKey>;

  constructor(dataDir: string) {
    this.key = keyFileLoader(join(dataDir, signingKeyFileName), { generate: generateSigningKey, parse: parseSigningKey });
  }

  async keyId(): Promise<string> {
    return (await this.key()).publicJwk.kid;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const { privateKey } = await this.key();
    return sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  }

  async publicJwks(): Promise<PublishedJwk[]> {
    return [(await this.key()).publicJwk];
  }
}
