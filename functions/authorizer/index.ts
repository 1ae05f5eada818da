import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { table } from '#lib/platform/dynamodb.js';
import { opsApiKey } from '#lib/auth/ops-api-key.js';
import { bearerToken } from '#lib/auth/api-keys.js';
import { authenticateApiKey } from '#lib/auth/authenticate-api-key.js';
import { allowPolicy } from '#lib/auth/authorizer-policy.js';
import { headerValue } from '#lib/http/http-event.js';

/**
 * API Gateway REQUEST authorizer for API-key routes. Throwing `Unauthorized` is how an authorizer
 * asks API Gateway for a 401 (its gateway response turns it into a problem document).
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const apiKey = bearerToken(headerValue({ headers: event.headers ?? {} }, 'authorization'));
  const principal = apiKey === undefined ? undefined : await authenticateApiKey(apiKey, { table: table(), opsApiKey });
  if (!principal) throw new Error('Unauthorized');
  return allowPolicy(principal, event.methodArn);
}
