import { MockIntegration, PassthroughBehavior, ResponseType } from 'aws-cdk-lib/aws-apigateway';
import type { GatewayResponseOptions, MethodOptions } from 'aws-cdk-lib/aws-apigateway';
import { problem } from '@license-activation/contract/problem';
import type { ProblemError } from '@license-activation/contract/problem';
import { apiAnswerHeaders, unavailableRetryAfterSeconds } from '#lib/http/problem-response.js';

/** Stage throttling refills its token bucket every second. */
const throttledRetryAfterSeconds = 1;
const internal = problem('INTERNAL', 'an unexpected error occurred; quote the request id when reporting it');
const rateLimited = problem('RATE_LIMITED', 'too many requests, retry later', { retryAfterSeconds: throttledRetryAfterSeconds });

/**
 * What API Gateway answers by itself, before or instead of a handler, as the contract's problems.
 * A response type not listed inherits DEFAULT_4XX or DEFAULT_5XX, status code included.
 */
export const gatewayProblems: ReadonlyMap<ResponseType, ProblemError> = new Map([
  [ResponseType.UNAUTHORIZED, problem('UNAUTHENTICATED', 'the API key is missing, malformed or unknown')],
  [ResponseType.INVALID_SIGNATURE, problem('UNAUTHENTICATED', 'the request signature is not valid')],
  [ResponseType.EXPIRED_TOKEN, problem('UNAUTHENTICATED', 'the request credentials have expired')],
  [ResponseType.ACCESS_DENIED, problem('FORBIDDEN', 'the caller may not call this route')],
  [ResponseType.WAF_FILTERED, problem('FORBIDDEN', 'the request was blocked by the firewall')],
  // Unknown routes land here, and so does an unsigned call to an IAM route: API Gateway cannot tell them apart.
  [ResponseType.MISSING_AUTHENTICATION_TOKEN, problem('NOT_FOUND', 'no such route (admin routes also need a SigV4-signed request)')],
  [ResponseType.RESOURCE_NOT_FOUND, problem('NOT_FOUND', 'no such route')],
  [ResponseType.REQUEST_TOO_LARGE, problem('PAYLOAD_TOO_LARGE', 'the request is too large')],
  [ResponseType.THROTTLED, rateLimited],
  [ResponseType.QUOTA_EXCEEDED, rateLimited],
  [ResponseType.DEFAULT_4XX, problem('VALIDATION_FAILED', 'the request is not valid')],
  [ResponseType.API_CONFIGURATION_ERROR, internal],
  [ResponseType.AUTHORIZER_CONFIGURATION_ERROR, internal],
  // Integration failures and timeouts, Lambda throttling, an authorizer that could not reach the table.
  [ResponseType.DEFAULT_5XX, problem('UNAVAILABLE', 'a dependency is unavailable, retry later', { retryAfterSeconds: unavailableRetryAfterSeconds })],
]);

/** `apiAnswerHeaders` as API Gateway's static header values, quoted. */
const staticAnswerHeaders = Object.fromEntries(Object.entries(apiAnswerHeaders).map(([name, value]) => [name, `'${value}'`]));

/**
 * A gateway response that answers like a handler's `problemResponse`: the same document, headers
 * and status, with API Gateway filling in the request id.
 */
export function gatewayResponseOptions(type: ResponseType, error: ProblemError): GatewayResponseOptions {
  const { retryAfterSeconds } = error.extra;
  return {
    type,
    statusCode: String(error.status),
    responseHeaders: {
      'Content-Type': "'application/problem+json'",
      ...staticAnswerHeaders,
      'X-Request-Id': 'context.requestId',
      ...(retryAfterSeconds === undefined ? {} : { 'Retry-After': `'${retryAfterSeconds}'` }),
    },
    templates: { 'application/json': JSON.stringify(error.toProblem('$context.requestId')) },
  };
}

/**
 * A resource's catch-all `ANY` method: API Gateway prefers a resource's own methods, so this answers
 * only the methods the resource lacks: 404 NOT_FOUND, as an unknown route (the contract's codes have
 * no 405), with the resource's `Allow` list (a gateway response cannot say it: it is one per API, and
 * knows no resource's methods). A mock integration: no function runs. Every mock status falls to the
 * one default integration response, so whatever the request carried, the answer is this 404.
 */
export function methodNotFound(allowed: readonly string[]): { integration: MockIntegration; options: MethodOptions } {
  const error = problem('NOT_FOUND', `no route for this method: this path takes ${allowed.join(', ')}`);
  const headers = {
    Allow: `'${allowed.join(', ')}'`,
    'Content-Type': "'application/problem+json'",
    ...staticAnswerHeaders,
    'X-Request-Id': 'context.requestId',
  };
  const parameter = (name: string) => `method.response.header.${name}`;
  return {
    integration: new MockIntegration({
      passthroughBehavior: PassthroughBehavior.WHEN_NO_MATCH,
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [
        {
          statusCode: String(error.status),
          responseParameters: Object.fromEntries(Object.entries(headers).map(([name, value]) => [parameter(name), value])),
          responseTemplates: { 'application/json': JSON.stringify(error.toProblem('$context.requestId')) },
        },
      ],
    }),
    options: {
      methodResponses: [{ statusCode: String(error.status), responseParameters: Object.fromEntries(Object.keys(headers).map((name) => [parameter(name), true])) }],
    },
  };
}
