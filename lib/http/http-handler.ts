import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import type { DeclaredRouteId } from '@license-activation/contract/routes';
import type { RouteRequest, RouteRequests } from '@license-activation/contract/route-request';
import { logger } from '../platform/logger.js';
import type { Caller } from '../auth/principal.js';
import { findRoute } from '@license-activation/contract/routes';
import type { RouteDefinition, RouteId } from '@license-activation/contract/routes';
import { decide, granted, refusal, resourceNamed } from '../auth/access.js';
import type { GrantedTo, Parsed, RequestParts } from '../auth/access.js';
import { authentication, verifierFor } from '../auth/authentication.js';
import type { CallerVerifiers } from '../auth/authentication.js';
import { httpEnvelope } from './http-envelope.js';
import { sourceIpOf } from './client-address.js';
import { headerValue } from './http-event.js';
import type { HttpEvent, HttpResponse, HttpResult } from './http-event.js';
import { jsonBodyParser } from './json-body.js';
import { apiAnswerHeaders } from './problem-response.js';
import { validate, validateNoBody } from './validation.js';

/**
 * What an action receives: validated input, the authenticated caller, the resource its route's
 * access decision allowed (lib/auth/access.ts), and the time of the request.
 */
export interface HttpRequest<R extends RouteRequest, G = unknown> {
  readonly body: Parsed<R['body']>;
  readonly query: Parsed<R['query']>;
  readonly params: Parsed<R['params']>;
  readonly headers: Parsed<R['headers']>;
  readonly caller: Caller;
  /** The resource the request names, as read for its access decision (undefined where it names none). */
  readonly resource: G;
  readonly route: RouteDefinition;
  readonly requestId: string;
  /** The client's address: as API Gateway saw it, or the viewer's where CloudFront stood between (client-address.ts). */
  readonly sourceIp: string | undefined;
  readonly now: Date;
}

/** The request of any of the routes a function serves: the one its event was sent to. */
export type ServedRequest<M extends RouteRequests> = {
  [K in keyof M]: HttpRequest<NonNullable<M[K]>, K extends DeclaredRouteId ? GrantedTo<K> : never>;
}[keyof M];

export type HttpAction<M extends RouteRequests> = (request: ServedRequest<M>) => Promise<HttpResult>;

export function jsonResponse(result: HttpResult): HttpResponse {
  const headers: Record<string, string> = { ...apiAnswerHeaders, ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  return {
    statusCode: result.status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(result.body),
  };
}

/** The declared headers of a request, by their canonical names, whatever case the client sent them in. */
function declaredHeaders(event: HttpEvent, schema: z.ZodMiniObject): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(schema._zod.def.shape).map((name) => [name, headerValue(event, name)]));
}

/** The parts of the event its route reads, each validated by the route's request; a body it does not read must be absent. */
function validatedParts(event: HttpEvent, request: RouteRequest): RequestParts<RouteRequest> & { headers: unknown } {
  return {
    body: request.body ? validate(request.body, event.jsonBody, 'body') : validateNoBody(event.jsonBody),
    query: request.query ? validate(request.query, event.queryStringParameters ?? {}, 'query string') : undefined,
    params: request.params ? validate(request.params, event.pathParameters ?? {}, 'path') : undefined,
    headers: request.headers ? validate(request.headers, declaredHeaders(event, request.headers), 'header') : undefined,
  };
}

/**
 * A Lambda handler for the routes of the contract that `requests` names, each validated by its
 * route's request (the contract's per-route descriptions): envelope (request id, logs, metrics,
 * problems), authentication, JSON body, zod validation, the route's access decision, then the action.
 * `verifiers` are what the function's routes need beyond API Gateway's own checks: installation
 * proofs, accounts' API keys, and the reads behind access decisions (`resources`). Nothing of the
 * table is read before the caller is authenticated.
 */
export function httpHandler<M extends RouteRequests>(requests: M, action: HttpAction<M>, verifiers: CallerVerifiers = {}) {
  return middy<HttpEvent, HttpResponse, Error, Context>()
    // `logEvent: false` outright: POWERTOOLS_LOGGER_LOG_EVENT would otherwise log whole events, with
    // their headers (API keys, DPoP proofs) and bodies (license keys, offline request files).
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpEnvelope())
    .use(authentication(verifiers))
    .use(jsonBodyParser())
    .handler(async (event) => {
      const route = event.route as RouteDefinition;
      // An ops twin under /v1/admin/ takes the request of the route it mirrors.
      const request: RouteRequest | undefined = (requests as RouteRequests)[(route.twinOf ?? route.id) as RouteId];
      // A deployment that sends a route to a function that does not serve it: a fault, not the caller's.
      if (!request) throw new TypeError(`this function does not serve ${route.id}`);
      const parts = validatedParts(event, request);
      const caller = event.caller ?? {};
      // The route's declared access, decided on what the validated request names: no action runs without it.
      const named = resourceNamed(route, parts);
      const resource = named ? await verifierFor(verifiers.resources, route, 'resources')(caller, named) : ({ kind: 'none' } as const);
      const decision = decide(caller, route.id as RouteId, resource);
      if (decision.outcome !== 'allow') throw refusal(decision);
      const served = {
        ...parts,
        caller,
        resource: granted(resource),
        route,
        requestId: event.requestId ?? '',
        sourceIp: sourceIpOf(event),
        now: new Date(),
      };
      // The parts were validated by the schemas of `requests[route.id]`, which is what ServedRequest says they are.
      return jsonResponse(await action(served as ServedRequest<M>));
    });
}

type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/**
 * One function serving routes that validate different things: each route gets its own `httpHandler`,
 * picked by the event's method and resource. An event of no listed route goes to the first, whose
 * envelope answers it as such.
 */
export function handlerPerRoute(handlers: Partial<Record<RouteId, LambdaHandler>>): LambdaHandler {
  const all = Object.values(handlers);
  const [first] = all;
  if (!first) throw new TypeError('handlerPerRoute needs at least one route');
  return (event, context) => {
    const route = findRoute(event.httpMethod, event.resource);
    const id = (route?.twinOf ?? route?.id) as RouteId | undefined;
    return ((id && handlers[id]) || first)(event, context);
  };
}
