import { LocalSecretBox } from '../crypto/local-secret-box.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { config } from './config.js';
import type { Config } from './config.js';

async function loadKmsSecretBox(region: string, encryptionKeyId: string): Promise<SecretBox> {
  const [{ createKmsClient }, { KmsSecretBox }] = await Promise.all([
    import('../crypto/kms-client.js'),
    import('../crypto/kms-secret-box.js'),
  ]);
  return new KmsSecretBox(createKmsClient(region), encryptionKeyId);
}

/** The KMS secret box, loaded on demand so that the local path never loads the KMS client. */
function kmsSecretBox({ region, encryptionKeyId }: Config): SecretBox {
  if (!encryptionKeyId) throw new TypeError('ENCRYPTION_KEY_ID must be set when SECRET_BOX is kms');
  const loading = loadKmsSecretBox(region, encryptionKeyId);
  return {
    seal: async (plaintext, context) => (await loading).seal(plaintext, context),
    open: async (sealed, context) => (await loading).open(sealed, context),
  };
}

let shared: SecretBox | undefined;

/** The process's secret box: KMS on AWS, a key file in the data directory locally. */
export function secretBox(): SecretBox {
  const settings = config();
  shared ??= settings.secretBox === 'kms' ? kmsSecretBox(settings) : new LocalSecretBox(settings.dataDir);
  return shared;
}

/** Forget the secret box: tests that change the configuration call this. */
export function resetSecretBox(): void {
  shared = undefined;
}
