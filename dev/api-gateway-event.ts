/**
 * What API Gateway (REST API, Lambda proxy integration, payload 1.0) would hand our functions,
 * built from a plain HTTP request. Pure: the request id and the time come in as arguments.
 */
import { createHash } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { routes } from '@license-activation/contract/routes';
import type { HttpMethod, RouteDefinition } from '@license-activation/contract/routes';

export const localStage = 'local';
export const localAccountId = '000000000000';
export const localApiId = 'local';
/** The caller `requestContext.identity.userArn` names when the ops API key stands in for IAM (SigV4). */
export const localOpsUserArn = `arn:aws:iam::${localAccountId}:user/local-ops`;

export interface LocalRequest {
  readonly method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  readonly target: string;
  /** Header names and values, flat, in the order and case the client sent them (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** Empty bodies are null, as API Gateway sends them. */
  readonly body: string | null;
  readonly sourceIp: string;
  readonly httpVersion: string;
}

export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly pathParameters: Record<string, string> | null;
}

const isParameter = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/**
 * The path parameters of `path` under a resource template, or undefined if it does not match.
 * Values stay percent-encoded: API Gateway REST APIs pass them on as received.
 */
function matchResource(template: string, actual: readonly string[]): Record<string, string> | undefined {
  const wanted = segmentsOf(template);
  if (wanted.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of wanted.entries()) {
    const value = actual[index] ?? '';
    if (isParameter(segment)) {
      if (value === '') return undefined;
      parameters[segment.slice(1, -1)] = value;
    } else if (segment !== value) {
      return undefined;
    }
  }
  return parameters;
}

const templateSegments = new Map<string, readonly string[]>();

/** A resource template's segments, split once: every request is matched against every route. */
function segmentsOf(template: string): readonly string[] {
  let segments = templateSegments.get(template);
  if (!segments) templateSegments.set(template, (segments = template.split('/')));
  return segments;
}

/** API Gateway prefers the resource whose first differing segment is a literal: `/a/b` over `/a/{id}`. */
function specificity(template: string): string {
  return template
    .split('/')
    .map((segment) => (isParameter(segment) ? '1' : '0'))
    .join('');
}

/** The routes of the most specific resource that matches `path`: one per method it takes. */
function resourceRoutes(path: string, table: readonly RouteDefinition[]): Array<{ route: RouteDefinition; pathParameters: Record<string, string> }> {
  const actual = path.split('/');
  const candidates = table.flatMap((route) => {
    const pathParameters = matchResource(route.path, actual);
    return pathParameters ? [{ route, pathParameters }] : [];
  });
  const resource = candidates.map(({ route }) => route.path).sort((a, b) => specificity(a).localeCompare(specificity(b)))[0];
  return candidates.filter(({ route }) => route.path === resource);
}

/**
 * The route serving `method` on `path`: the most specific resource that matches the path, then
 * its method. A path no resource matches has no route, nor has a method its resource lacks (both
 * 404); for the latter, `allowedMethods` says what the path takes (`Allow`).
 */
export function matchRoute(method: string, path: string, table: readonly RouteDefinition[] = routes): RouteMatch | undefined {
  const match = resourceRoutes(path, table).find(({ route }) => route.method === method);
  if (!match) return undefined;
  const hasParameters = Object.keys(match.pathParameters).length > 0;
  return { route: match.route, pathParameters: hasParameters ? match.pathParameters : null };
}

/** The methods the resource of `path` takes (an `Allow` header's list), none for a path no resource matches. */
export function allowedMethods(path: string, table: readonly RouteDefinition[] = routes): HttpMethod[] {
  return resourceRoutes(path, table).map(({ route }) => route.method);
}

/**
 * Single-value maps keep the last value of a repeated name; multi-value maps keep them all. Both have
 * no prototype: names are the client's, and `constructor` or `__proto__` must be names like any other.
 */
function singleAndMultiValue(pairs: Iterable<readonly [string, string]>) {
  const multi: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of pairs) {
    (multi[name] ??= []).push(value);
    single[name] = value;
  }
  return { single, multi };
}

function headerPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) pairs.push([rawHeaders[index] ?? '', rawHeaders[index + 1] ?? '']);
  return pairs;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.requestTime` as API Gateway writes it: `09/Apr/2015:12:34:56 +0000`. */
export function requestTime(now: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  const date = `${two(now.getUTCDate())}/${months[now.getUTCMonth()]}/${now.getUTCFullYear()}`;
  return `${date}:${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} +0000`;
}

/** A stable stand-in for API Gateway's six-character resource id. */
function resourceId(resourcePath: string): string {
  return createHash('sha256').update(resourcePath).digest('hex').slice(0, 6);
}

/** Path and query string of a request target, split by hand: `new URL` would read `//x` as a host. */
export function splitTarget(target: string): [path: string, search: string] {
  const queryStart = target.indexOf('?');
  return queryStart === -1 ? [target, ''] : [target.slice(0, queryStart), target.slice(queryStart + 1)];
}

/** The proxy event for a request `matchRoute` has matched; `authorizer` is left for the authorizer step. */
export function proxyEvent(request: LocalRequest, match: RouteMatch, requestId: string, now: Date): APIGatewayProxyEvent {
  const [path, search] = splitTarget(request.target);
  const headers = singleAndMultiValue(headerPairs(request.rawHeaders));
  const query = singleAndMultiValue(new URLSearchParams(search));
  const hasQuery = Object.keys(query.multi).length > 0;
  const userAgent = Object.entries(headers.single).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;
  const host = Object.entries(headers.single).find(([name]) => name.toLowerCase() === 'host')?.[1];
  return {
    resource: match.route.path,
    path,
    httpMethod: request.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: hasQuery ? query.single : null,
    multiValueQueryStringParameters: hasQuery ? query.multi : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: localAccountId,
      apiId: localApiId,
      authorizer: undefined,
      ...(host === undefined ? {} : { domainName: host }),
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${localStage}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: resourceId(match.route.path),
      resourcePath: match.route.path,
      stage: localStage,
    },
    body: request.body,
    isBase64Encoded: false,
  };
}

/** The REQUEST authorizer event API Gateway sends before a proxy event: the same request, no body. */
export function authorizerEvent(event: APIGatewayProxyEvent, region: string): APIGatewayRequestAuthorizerEvent {
  const { requestContext } = event;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${region}:${requestContext.accountId}:${requestContext.apiId}/${requestContext.stage}/${event.httpMethod}${event.path}`,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: event.stageVariables,
    requestContext: { ...requestContext, authorizer: undefined },
  };
}

/** Whether the authorizer's policy lets the request through: an explicit Deny wins, as in IAM. */
export function policyAllows(result: APIGatewayAuthorizerResult): boolean {
  const effects = result.policyDocument.Statement.map((statement) => statement.Effect);
  return effects.includes('Allow') && !effects.includes('Deny');
}

/**
 * The proxy event as API Gateway forwards it after an allowing authorizer: the authorizer's
 * context (values as strings), its principal id and its latency in `requestContext.authorizer`.
 * `asOps` also names the local ops user as the IAM caller, which is what SigV4 would establish.
 */
export function withAuthorizer(
  event: APIGatewayProxyEvent,
  result: APIGatewayAuthorizerResult,
  latencyMs: number,
  options: { asOps: boolean },
): APIGatewayProxyEvent {
  const context = Object.fromEntries(Object.entries(result.context ?? {}).map(([name, value]) => [name, String(value)]));
  const { requestContext } = event;
  return {
    ...event,
    requestContext: {
      ...requestContext,
      authorizer: { ...context, principalId: result.principalId, integrationLatency: latencyMs },
      identity: options.asOps ? { ...requestContext.identity, userArn: localOpsUserArn } : requestContext.identity,
    },
  };
}
