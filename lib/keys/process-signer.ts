import { createKmsClient } from '../platform/kms-client.js';
import { KmsTokenSigner } from './kms-signer.js';
import { LocalTokenSigner } from './local-signer.js';
import type { TokenSigner } from './token-signer.js';
import { config } from '../platform/config.js';
import type { Config } from '../platform/config.js';
import { metricNames } from '../platform/metric-names.js';
import { count, countingFailures } from '../platform/metrics.js';
import { keyFaultsUnavailable } from './key-faults.js';

/*
 * The KMS client loads with the function (imported, not imported on demand): on AWS every request of
 * a signing function signs, so loading it during the first request would only move the time into that
 * request, out of the init that Lambda may run before any request arrives. Locally it is one import.
 */

function kmsSigner({ region, signingKeyId, publishedKeyIds }: Config): TokenSigner {
  if (!signingKeyId) throw new TypeError('SIGNING_KEY_ID must be set when SIGNER is kms');
  return new KmsTokenSigner(createKmsClient(region), signingKeyId, publishedKeyIds);
}

/** A signer whose signatures, and failures to reach its key, count in the request's metrics (and its alarm). */
function counted(signer: TokenSigner): TokenSigner {
  const keyCall = <T>(work: Promise<T>) => countingFailures(metricNames.signingFailures, keyFaultsUnavailable(work));
  return {
    keyId: () => keyCall(signer.keyId()),
    sign: async (signingInput) => {
      const signature = await keyCall(signer.sign(signingInput));
      count(metricNames.signatures);
      return signature;
    },
    publicJwks: () => keyCall(signer.publicJwks()),
  };
}

let shared: TokenSigner | undefined;

/** The process's token signer: KMS on AWS, a key file in the data directory locally. */
export function signer(): TokenSigner {
  const settings = config();
  shared ??= counted(settings.signer === 'kms' ? kmsSigner(settings) : new LocalTokenSigner(settings.dataDir));
  return shared;
}

/** Forget the signer: tests that change the configuration call this. */
export function resetSigner(): void {
  shared = undefined;
}
