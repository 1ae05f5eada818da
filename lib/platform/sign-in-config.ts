import { problem } from '@license-activation/contract/problem';
import { config } from './config.js';

/** `GET /v1/sign-in-config`: what a site or CLI needs to sign a person in with the Cognito API. */
export function signInConfig(): { region: string; userPoolId: string; clientId: string; endpoint?: string } {
  const pool = config().userPool;
  if (!pool) throw problem('UNAVAILABLE', 'this service has no user directory configured', { retryAfterSeconds: 60 });
  return { region: pool.region, userPoolId: pool.userPoolId, clientId: pool.clientId, ...(pool.endpoint ? { endpoint: pool.endpoint } : {}) };
}
