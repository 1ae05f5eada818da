import { KMSClient } from '@aws-sdk/client-kms';
import { awsClientDefaults, withoutSdkLogging } from './aws-client-defaults.js';

/** A KMS client with explicit timeouts, like the table's: a slow KMS answers 503 rather than hang the function. */
export function createKmsClient(region: string): KMSClient {
  return withoutSdkLogging(new KMSClient({ region, ...awsClientDefaults }));
}
