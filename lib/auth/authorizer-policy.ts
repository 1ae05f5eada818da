import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { AccountPrincipal, PersonPrincipal } from './principal.js';

/**
 * Context keys the Lambda authorizer (and the local server in its place) puts on the event. Not
 * `principalId`: API Gateway writes the policy's own principalId under that name.
 */
export const authorizerContextKeys = {
  kind: 'accountKind',
  id: 'accountId',
  name: 'accountName',
  apiKeyId: 'apiKeyId',
  email: 'email',
  emailVerified: 'emailVerified',
} as const;

/**
 * How long API Gateway keeps an authorizer's answer for one `Authorization` header, and the local
 * server likewise: a revoked API key is refused everywhere within this long (API.md §7 asks 60 s).
 */
export const authorizerCacheSeconds = 60;

/**
 * The IAM policy a REQUEST authorizer returns for an authenticated account. It allows every method
 * of the API's stage: API Gateway caches the result per API key, and which routes each principal
 * may call is decided by the handlers from the route table, not by this policy. For a person it
 * says who they are, never which account they act through: that the handler reads per request
 * (`Account-Id`, current memberships), so a cached decision holds nothing one token could lend another.
 */
export function allowPolicy(principal: AccountPrincipal | PersonPrincipal, methodArn: string): APIGatewayAuthorizerResult {
  // methodArn: arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}
  const [apiArn = methodArn, stage = '*'] = methodArn.split('/');
  return {
    principalId: `${principal.kind}:${principal.id}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${apiArn}/${stage}/*/*` }],
    },
    context: {
      [authorizerContextKeys.kind]: principal.kind,
      [authorizerContextKeys.id]: principal.id,
      ...(principal.kind !== 'person' && principal.kind !== 'ops' && principal.apiKeyId ? { [authorizerContextKeys.apiKeyId]: principal.apiKeyId } : {}),
      ...(principal.kind === 'person'
        ? { [authorizerContextKeys.emailVerified]: String(principal.emailVerified), ...(principal.email ? { [authorizerContextKeys.email]: principal.email } : {}) }
        : {}),
      ...(principal.kind !== 'person' && principal.kind !== 'ops' && principal.name ? { [authorizerContextKeys.name]: principal.name } : {}),
    },
  };
}
