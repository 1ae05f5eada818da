import { LocalTokenSigner } from '../signing/local-signer.js';
import type { TokenSigner } from '../signing/token-signer.js';
import { config } from './config.js';
import type { Config } from './config.js';

async function loadKmsSigner(region: string, signingKeyId: string, publishedKeyIds: readonly string[]): Promise<TokenSigner> {
  const [{ createKmsClient }, { KmsTokenSigner }] = await Promise.all([
    import('../crypto/kms-client.js'),
    import('../signing/kms-signer.js'),
  ]);
  return new KmsTokenSigner(createKmsClient(region), signingKeyId, publishedKeyIds);
}

/** The KMS signer, loaded on demand so that the local path never loads the KMS client. */
function kmsSigner({ region, signingKeyId, publishedKeyIds }: Config): TokenSigner {
  if (!signingKeyId) throw new TypeError('SIGNING_KEY_ID must be set when SIGNER is kms');
  const loading = loadKmsSigner(region, signingKeyId, publishedKeyIds);
  return {
    keyId: async () => (await loading).keyId(),
    sign: async (signingInput) => (await loading).sign(signingInput),
    publicJwks: async () => (await loading).publicJwks(),
  };
}

let shared: TokenSigner | undefined;

/** The process's token signer: KMS on AWS, a key file in the data directory locally. */
export function signer(): TokenSigner {
  const settings = config();
  shared ??= settings.signer === 'kms' ? kmsSigner(settings) : new LocalTokenSigner(settings.dataDir);
  return shared;
}

/** Forget the signer: tests that change the configuration call this. */
export function resetSigner(): void {
  shared = undefined;
}
