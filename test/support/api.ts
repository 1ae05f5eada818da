import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWK, JWTPayload, KeyObject } from 'jose';
import type { AccountPrincipal, PersonPrincipal } from '#lib/auth/principal.js';
import { allowPolicy } from '#lib/auth/authorizer-policy.js';
import { findRoute, routeById } from '@license-activation/contract/routes';
import { matchRoute, proxyEvent, withAuthorizer } from '#dev/api-gateway-event.js';
import type { RouteId } from '@license-activation/contract/routes';
import type { HttpResponse } from '#lib/http/http-event.js';
import { lambdaContext } from '#dev/lambda-context.js';
import { asFunction } from '#dev/table-permissions.js';

/** The URL of `path` on the service under test, as DPoP proofs name it (PUBLIC_BASE_URL, test/support/setup.ts). */
export const publicUrl = (path: string): string => `${process.env.PUBLIC_BASE_URL ?? ''}${path}`;

/** A test stand-in for an on-prem installation: its own P-256 key, and proofs signed with it. */
export interface TestInstallation {
  readonly id: string;
  readonly jwk: JWK;
  /** A DPoP proof for one request (fresh `jti` unless given). */
  proof(method: string, path: string, claims?: JWTPayload): Promise<string>;
  /** A signed JWS with the key embedded, for offline request files. */
  sign(typ: string, claims: JWTPayload): Promise<string>;
}

export async function newInstallation(): Promise<TestInstallation> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const id = await calculateJwkThumbprint(jwk, 'sha256');
  const sign = (typ: string, claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ, jwk }).sign(privateKey as KeyObject);
  return {
    id,
    jwk,
    sign,
    proof: (method, path, claims = {}) =>
      sign('dpop+jwt', { jti: randomUUID(), htm: method, htu: publicUrl(path), iat: Math.floor(Date.now() / 1000), ...claims }),
  };
}

export interface CallOptions {
  /** The path (and query) as sent, instead of `params` and `query`. */
  readonly path?: string;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** Sent as is, instead of `body` serialised. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** The account API Gateway authenticated (authorizer context, or IAM for ops on admin routes). */
  readonly as?: AccountPrincipal | PersonPrincipal;
  /** An installation that signs a DPoP proof for this call. */
  readonly installation?: TestInstallation;
  /** The client's address API Gateway reports (default 127.0.0.1). */
  readonly sourceIp?: string;
}

export interface CallResult<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: T;
}

/** The API Gateway REST event AWS would send for this call: built as the local service builds it. */
export async function eventFor(routeId: RouteId, options: CallOptions = {}): Promise<APIGatewayProxyEvent> {
  const route = routeById(routeId);
  const params = options.params ?? {};
  const [sentPath, sentSearch] = options.path?.split('?') ?? [];
  const path = sentPath ?? route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.installation) headers.DPoP = await options.installation.proof(route.method, path);
  const search = sentSearch !== undefined ? `?${sentSearch}` : options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
  const request = {
    method: route.method,
    target: `${path}${search}`,
    rawHeaders: Object.entries(headers).flat(),
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    sourceIp: options.sourceIp ?? '127.0.0.1',
    httpVersion: '1.1',
  };
  const match = matchRoute(route.method, path) ?? { route, pathParameters: null };
  const event = proxyEvent(request, match, randomUUID(), new Date());
  if (!options.as) return event;
  const methodArn = `arn:aws:execute-api:us-east-1:000000000000:local/local/${route.method}${path}`;
  return withAuthorizer(event, allowPolicy(options.as, methodArn), 0, { asOps: route.authentication === 'iam' && options.as.kind === 'ops' });
}


type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResponse>;

/** The handler of a function folder, loaded the way Lambda would: its module's `handler` export. */
export async function handlerOf(functionName: string): Promise<Handler> {
  const module = (await import(`../../functions/${functionName}/index.ts`)) as { handler: Handler };
  return module.handler;
}

/** Invokes an event on its route's handler and parses the answer. */
export async function send<T = Record<string, unknown>>(event: APIGatewayProxyEvent): Promise<CallResult<T>> {
  const route = findRoute(event.httpMethod, event.resource);
  if (!route) throw new TypeError(`no route ${event.httpMethod} ${event.resource}`);
  const handler = await handlerOf(route.function);
  // Within the function's IAM table permissions, as on AWS (dev/table-permissions.ts; test/support/setup.ts).
  const response = await asFunction(route.function, () => handler(event, lambdaContext(route.function)));
  return {
    status: response.statusCode,
    headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)])),
    body: (response.body ? JSON.parse(response.body) : undefined) as T,
  };
}

/** Calls a route of the contract through its real handler, as API Gateway would. */
export async function call<T = Record<string, unknown>>(routeId: RouteId, options: CallOptions = {}): Promise<CallResult<T>> {
  return send<T>(await eventFor(routeId, options));
}
