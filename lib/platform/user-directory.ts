import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { awsClientDefaults } from './aws-client-defaults.js';
import { config } from './config.js';
import type { UserPoolConfig } from './config.js';

/** The issuer of the pool's tokens: Cognito's own on AWS, `<endpoint>/<poolId>` for cognito-local. */
export function userPoolIssuer(pool: UserPoolConfig): string {
  return pool.endpoint ? `${pool.endpoint}/${pool.userPoolId}` : `https://cognito-idp.${pool.region}.amazonaws.com/${pool.userPoolId}`;
}

let client: CognitoIdentityProviderClient | undefined;

/** The process's Cognito client, created on first use; dummy credentials and one attempt for cognito-local. */
export function userDirectoryClient(pool: UserPoolConfig): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient({
    region: pool.region,
    ...awsClientDefaults,
    ...(pool.endpoint ? { endpoint: pool.endpoint, maxAttempts: 1, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return client;
}

/** The configured user pool; without one, no person token is accepted. */
export function userPool(): UserPoolConfig | undefined {
  return config().userPool;
}

export function resetUserDirectoryClient(): void {
  client = undefined;
}
