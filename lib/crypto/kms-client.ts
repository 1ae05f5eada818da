import { KMSClient } from '@aws-sdk/client-kms';

/** A KMS client with explicit timeouts, like the table's: a slow KMS answers 503 rather than hang the function. */
export function createKmsClient(region: string): KMSClient {
  return new KMSClient({
    region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });
}
