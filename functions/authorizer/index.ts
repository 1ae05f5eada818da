import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { table } from '#lib/platform/dynamodb.js';
import { opsApiKey } from '#lib/auth/ops-api-key.js';
import { bearerToken } from '#lib/auth/api-keys.js';
import { authenticateBearer } from '#lib/auth/authenticate-api-key.js';
import { ProblemError } from '@license-activation/contract/problem';
import { allowPolicy } from '#lib/auth/authorizer-policy.js';
import { headerValue } from '#lib/http/http-event.js';

/**
 * API Gateway REQUEST authorizer for API-key routes: API keys and people's access tokens. Throwing
 * `Unauthorized` is how an authorizer asks API Gateway for a 401 (its gateway response turns it
 * into a problem document); any other failure (the directory unreachable) is API Gateway's 500
 * for authorizer errors, which its gateway response answers as 503 UNAVAILABLE.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const credential = bearerToken(headerValue({ headers: event.headers ?? {} }, 'authorization'));
  const principal = await authenticated(credential);
  if (!principal) throw new Error('Unauthorized');
  return allowPolicy(principal, event.methodArn);
}

async function authenticated(credential: string | undefined) {
  if (credential === undefined) return undefined;
  try {
    return await authenticateBearer(credential, { table: table(), opsApiKey });
  } catch (error) {
    if (error instanceof ProblemError && error.code === 'UNAUTHENTICATED') return undefined;
    throw error;
  }
}
