import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientDefaults } from '../platform/aws-client-defaults.js';
import { config } from '../platform/config.js';

let cached: Promise<string | undefined> | undefined;

/** Only the functions that accept the ops key import this module, and with it the Secrets Manager client. */
async function fetchFromSecretsManager(secretId: string): Promise<string | undefined> {
  const client = new SecretsManagerClient({ region: config().region, ...awsClientDefaults });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return SecretString || undefined;
}

/**
 * The ops API key: `OPS_API_KEY` locally, a Secrets Manager secret on AWS (fetched once per
 * container; a failed fetch is not cached, so the next request tries again).
 */
export function opsApiKey(): Promise<string | undefined> {
  const { opsApiKey: fromEnvironment, opsApiKeySecretId } = config();
  if (fromEnvironment || !opsApiKeySecretId) return Promise.resolve(fromEnvironment);
  cached ??= fetchFromSecretsManager(opsApiKeySecretId).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
