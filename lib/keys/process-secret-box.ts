import { createKmsClient } from '../platform/kms-client.js';
import { KmsSecretBox } from './kms-secret-box.js';
import { LocalSecretBox } from './local-secret-box.js';
import type { SecretBox } from './secret-box.js';
import { config } from '../platform/config.js';
import type { Config } from '../platform/config.js';
import { metricNames } from '../platform/metric-names.js';
import { countingFailures } from '../platform/metrics.js';
import { keyFaultsUnavailable } from './key-faults.js';

/** The KMS secret box; its client loads with the function, like the signer's (see signer.ts). */
function kmsSecretBox({ region, encryptionKeyId }: Config): SecretBox {
  if (!encryptionKeyId) throw new TypeError('ENCRYPTION_KEY_ID must be set when SECRET_BOX is kms');
  return new KmsSecretBox(createKmsClient(region), encryptionKeyId);
}

let shared: SecretBox | undefined;

/** The process's secret box: KMS on AWS, a key file in the data directory locally. Its failures count in the request's metrics. */
export function secretBox(): SecretBox {
  const settings = config();
  if (!shared) {
    const box = settings.secretBox === 'kms' ? kmsSecretBox(settings) : new LocalSecretBox(settings.dataDir);
    const keyCall = <T>(work: Promise<T>) => countingFailures(metricNames.secretBoxFailures, keyFaultsUnavailable(work));
    shared = {
      seal: (plaintext, context) => keyCall(box.seal(plaintext, context)),
      open: (sealed, context) => keyCall(box.open(sealed, context)),
    };
  }
  return shared;
}

/** Forget the secret box: tests that change the configuration call this. */
export function resetSecretBox(): void {
  shared = undefined;
}
