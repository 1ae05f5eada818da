import { randomUUID } from 'node:crypto';
import { createServer, maxHeaderSize, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import { config } from '#lib/platform/config.js';
import { authorizerCacheSeconds, authorizerContextKeys } from '#lib/auth/authorizer-policy.js';
import { problem, ProblemError } from '@license-activation/contract/problem';
import type { RouteDefinition } from '@license-activation/contract/routes';
import { problemResponse, toProblemError } from '#lib/http/problem-response.js';
import { wafHeaderPrefix } from '#lib/http/client-address.js';
import { table } from '#lib/platform/dynamodb.js';
import { lambdaContext } from './lambda-context.js';
import { serveSiteFile, siteRoot } from './site-files.js';
import { asFunction, enforceTablePermissions } from './table-permissions.js';
import { allowedMethods, authorizerEvent, matchRoute, policyAllows, proxyEvent, splitTarget, withAuthorizer } from './api-gateway-event.js';

/**
 * A Lambda function's handler. Which event it takes depends on its role (proxy or authorizer),
 * which the route table decides; `never` lets handlers of either kind be passed in.
 */
export type LambdaFunction = (event: never, context: Context) => Promise<unknown>;

export type HandlerLoader = (functionName: string) => Promise<LambdaFunction>;

export interface LocalServerOptions {
  /** Loads the `handler` of `functions/<name>/index.ts`; tests pass fakes. */
  readonly loadHandler?: HandlerLoader;
  /** The built license site served for non-API paths; tests pass their own folder. */
  readonly siteRoot?: string;
  /** Told of every answer once it is sent: `npm start` prints a line per request with `LOG_LEVEL=info`. */
  readonly onAnswered?: (answered: { at: Date; method: string; path: string; status: number; ms: number }) => void;
  /** The clock of the authorizer's cache (epoch ms); tests pass their own to let it expire. */
  readonly now?: () => number;
}

/** API Gateway refuses bodies above its own limit before any function runs; the 64 KiB rule is the handlers'. */
export const maxRequestBytes = 1024 * 1024;
const authorizerFunction = 'authorizer';
const functionsFolder = new URL('../functions/', import.meta.url);

export const importHandler: HandlerLoader = async (functionName) => {
  const module = (await import(new URL(`${functionName}/index.ts`, functionsFolder).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new TypeError(`functions/${functionName}/index.ts exports no handler`);
  return module.handler as LambdaFunction;
};

/** Runs a function's handler as Lambda would, within its IAM table permissions (dev/table-permissions.ts). */
function invoke(handler: LambdaFunction, event: unknown, context: Context): Promise<unknown> {
  enforceTablePermissions(table().client);
  // The one cast of the event: the caller picked the function for this kind of event.
  return asFunction(context.functionName, () => (handler as (event: unknown, context: Context) => Promise<unknown>)(event, context));
}


function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const { statusCode, body } = value as Record<string, unknown>;
  return Number.isInteger(statusCode) && (body === undefined || body === null || typeof body === 'string');
}

function isAuthorizerResult(value: unknown): value is APIGatewayAuthorizerResult {
  if (typeof value !== 'object' || value === null) return false;
  const { principalId, policyDocument } = value as Record<string, unknown>;
  return typeof principalId === 'string' && typeof policyDocument === 'object' && policyDocument !== null && Array.isArray((policyDocument as { Statement?: unknown }).Statement);
}

/** What CloudFront sends to the site's bucket rather than to API Gateway: reads outside the API's paths. */
function isSitePath(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && !path.startsWith('/v1/') && !path.startsWith('/.well-known/');
}

const tooLarge = Symbol('too large');

/**
 * The body as text, or `tooLarge` as soon as it passes `limit`; the rest is then read and
 * dropped, never buffered, so the 413 can still be written on the same connection.
 */
function readBody(request: IncomingMessage, limit: number): Promise<string | null | typeof tooLarge> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length']) > limit) {
      request.resume();
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', collect);
      request.resume();
      resolve(tooLarge);
    };
    request.on('data', collect);
    request.once('end', () => resolve(size === 0 ? null : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function send(response: ServerResponse, result: APIGatewayProxyResult, requestId: string, options: { close?: boolean } = {}): void {
  // A problem sent after a handler's answer failed to write must not carry that answer's headers.
  for (const name of response.getHeaderNames()) response.removeHeader(name);
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  // API Gateway merges both maps; for a name in both, the multi-value list wins.
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) response.setHeader(name, values.map(String));
  if (!response.hasHeader('x-request-id')) response.setHeader('X-Request-Id', requestId);
  if (options.close) response.setHeader('Connection', 'close');
  response.statusCode = result.statusCode;
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}

/**
 * What Node's HTTP parser refuses before a request exists (headers over its 16 KiB, bytes that are
 * not HTTP/1.1, a request that never finished arriving): Node would write a bare status line; here it
 * is a problem document like every other answer, on a connection then closed. Headers too large are
 * 413 `PAYLOAD_TOO_LARGE` (the contract has no code of its own for them), the rest 400.
 */
function refuseUnparsedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  // As Node does: answer only a connection that can still take one and has not been answered yet.
  if (!socket.writable || ('bytesWritten' in socket && socket.bytesWritten !== 0)) {
    socket.destroy();
    return;
  }
  const requestId = randomUUID();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW' || error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW';
  const refusal = tooLarge
    ? problem('PAYLOAD_TOO_LARGE', `the request's headers are larger than ${maxHeaderSize} bytes`)
    : problem('VALIDATION_FAILED', 'the request is not valid HTTP/1.1, or did not arrive in time');
  const { statusCode, headers, body } = problemResponse(refusal, requestId);
  const lines = [`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`];
  for (const [name, value] of Object.entries({ ...headers, 'X-Request-Id': requestId, 'Content-Length': Buffer.byteLength(body), Connection: 'close' })) lines.push(`${name}: ${String(value)}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * API Gateway's cache of authorizer answers, by the identity source (the `Authorization` header), for
 * `authorizerCacheSeconds` as the stack configures it: locally too, a revoked key works until its
 * cached answer ends, so what the local service shows is what AWS does.
 */
class AuthorizerCache {
  private readonly answers = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();

  constructor(private readonly now: () => number) {}

  get(credential: string): APIGatewayAuthorizerResult | undefined {
    const cached = this.answers.get(credential);
    if (cached && cached.until > this.now()) return cached.result;
    this.answers.delete(credential);
    return undefined;
  }

  set(credential: string, result: APIGatewayAuthorizerResult): void {
    // Bounded, as API Gateway's is: past a size, start afresh.
    if (this.answers.size >= 10_000) this.answers.clear();
    this.answers.set(credential, { result, until: this.now() + authorizerCacheSeconds * 1000 });
  }
}

/**
 * Runs the REQUEST authorizer in-process, as API Gateway would before the route's function (its
 * answer cached as API Gateway caches it): no `Authorization` header or an `Unauthorized` refusal is
 * 401, a denying policy 403.
 */
async function authorize(
  event: APIGatewayProxyEvent,
  route: RouteDefinition,
  load: HandlerLoader,
  region: string,
  cache: AuthorizerCache,
): Promise<APIGatewayProxyEvent> {
  const credential = Object.entries(event.headers).find(([name, value]) => name.toLowerCase() === 'authorization' && value)?.[1];
  if (!credential) throw problem('UNAUTHENTICATED', 'this route needs an Authorization header');
  const startedAt = performance.now();
  const cached = cache.get(credential);
  let result: unknown = cached;
  try {
    result ??= await invoke(await load(authorizerFunction), authorizerEvent(event, region), lambdaContext(authorizerFunction, { region }));
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') throw problem('UNAUTHENTICATED', 'the credential is not valid');
    throw error;
  }
  if (!isAuthorizerResult(result)) throw new TypeError('the authorizer returned no policy');
  if (!cached) cache.set(credential, result);
  if (!policyAllows(result)) throw problem('FORBIDDEN', 'the authorizer denied this request');
  const asOps = route.authentication === 'iam' && result.context?.[authorizerContextKeys.kind] === 'ops';
  return withAuthorizer(event, result, Math.round(performance.now() - startedAt), { asOps });
}

/**
 * A stand-in for API Gateway in front of the functions of every route in the contract: it routes,
 * limits bodies, runs the authorizer where API Gateway would, and invokes the route's handler
 * in-process with the event and context Lambda would give it.
 */
export function createLocalServer(options: LocalServerOptions = {}): Server {
  const loadHandler = options.loadHandler ?? importHandler;
  const authorizerAnswers = new AuthorizerCache(options.now ?? Date.now);
  const loaded = new Map<string, Promise<LambdaFunction>>();
  const load: HandlerLoader = (functionName) => {
    let handler = loaded.get(functionName);
    if (!handler) {
      handler = loadHandler(functionName);
      // A module that failed to load is tried again on the next request.
      handler.catch(() => loaded.delete(functionName));
      loaded.set(functionName, handler);
    }
    return handler;
  };

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const [path] = splitTarget(target);
    try {
      const match = matchRoute(method, path);
      if (!match && isSitePath(method, path) && (await serveSiteFile(request, response, path, requestId, options.siteRoot ?? siteRoot))) return;
      if (!match) {
        const allowed = allowedMethods(path);
        if (allowed.length === 0) throw problem('NOT_FOUND', `no route ${method} ${path}`);
        // No route, as API Gateway's catch-all method of each resource answers: the contract's codes have no 405,
        // but `Allow` still says what the path takes (RFC 9110 §10.2.1).
        const refusal = problemResponse(problem('NOT_FOUND', `no route ${method} ${path}: it takes ${allowed.join(', ')}`), requestId);
        send(response, { ...refusal, headers: { ...refusal.headers, Allow: allowed.join(', ') } }, requestId);
        return;
      }
      // As the API's web ACL does on AWS: only WAF may insert these (the mark of a request through the site).
      if (Object.keys(request.headers).some((name) => name.startsWith(wafHeaderPrefix))) throw problem('FORBIDDEN', 'the request was blocked by the firewall');
      const body = await readBody(request, maxRequestBytes);
      if (body === tooLarge) {
        send(response, problemResponse(problem('PAYLOAD_TOO_LARGE', `the body is larger than ${maxRequestBytes} bytes`), requestId), requestId, { close: true });
        return;
      }
      const { region } = config();
      const now = new Date();
      const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
      let event = proxyEvent({ method, target, rawHeaders: request.rawHeaders, body, sourceIp, httpVersion: request.httpVersion }, match, requestId, now);
      if (match.route.authentication === 'iam' || match.route.authentication === 'api-key') {
        event = await authorize(event, match.route, load, region, authorizerAnswers);
      }
      const result = await invoke(await load(match.route.function), event, lambdaContext(match.route.function, { region, startedAt: now.getTime() }));
      if (!isProxyResult(result)) throw new TypeError(`functions/${match.route.function} returned no statusCode and body`);
      send(response, result, requestId);
    } catch (error) {
      if (!(error instanceof ProblemError)) console.error(`${method} ${path} failed (request ${requestId}):`, error);
      send(response, problemResponse(toProblemError(error), requestId), requestId);
    }
  }

  const server = createServer((request, response) => {
    if (options.onAnswered) {
      const at = new Date();
      const began = performance.now();
      const { onAnswered } = options;
      response.once('finish', () =>
        onAnswered({ at, method: request.method ?? 'GET', path: splitTarget(request.url ?? '/')[0], status: response.statusCode, ms: performance.now() - began }),
      );
    }
    answer(request, response).catch((error: unknown) => {
      // Only writing the answer can fail here, e.g. when the client has gone away.
      console.error('could not answer a request:', error);
      response.destroy();
    });
  });
  return server.on('clientError', refuseUnparsedRequest);
}
