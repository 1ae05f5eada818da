import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { logger } from '../platform/logger.js';
import type { Caller } from '../auth/principal.js';
import type { RouteDefinition } from '@license-activation/contract/routes';
import { authentication } from '../auth/authentication.js';
import type { CallerVerifiers } from '../auth/authentication.js';
import { httpEnvelope } from './http-envelope.js';
import { headerValue } from './http-event.js';
import type { HttpEvent, HttpResponse, HttpResult } from './http-event.js';
import { jsonBodyParser } from './json-body.js';
import { validate, validateNoBody } from './validation.js';

/** zod schemas for the parts of a request a route reads; what a route leaves out must be absent or empty. */
export interface RequestSchemas {
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly params?: z.ZodMiniType;
}

type Parsed<S extends z.ZodMiniType | undefined> = S extends z.ZodMiniType ? z.output<S> : undefined;

/** What an action receives: validated input, the authenticated caller, and the time of the request. */
export interface HttpRequest<S extends RequestSchemas, P = undefined> {
  readonly body: Parsed<S['body']>;
  readonly query: Parsed<S['query']>;
  readonly params: Parsed<S['params']>;
  readonly caller: Caller;
  readonly route: RouteDefinition;
  readonly requestId: string;
  readonly now: Date;
  /** What the function's `prefetch` read; undefined where it has none. */
  readonly prefetched: P;
  header(name: string): string | undefined;
}

export type HttpAction<S extends RequestSchemas, P = undefined> = (request: HttpRequest<S, P>) => Promise<HttpResult>;

/**
 * A read that an action needs whoever the caller turns out to be, started from the raw event as the
 * request arrives, so that it runs while the caller is authenticated (a DPoP proof waits on WebCrypto)
 * rather than after. Only reads belong here: the action sees the result only once the caller is
 * authenticated and the request valid, and otherwise it is dropped unseen.
 */
export type Prefetch<P> = (event: HttpEvent) => Promise<P>;

function startPrefetch(event: HttpEvent, prefetch: Prefetch<unknown>): void {
  const started = prefetch(event);
  // Awaited by the action; a request refused before that must not leave an unhandled rejection.
  started.catch(() => undefined);
  event.prefetched = started;
}

export function jsonResponse(result: HttpResult): HttpResponse {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  return {
    statusCode: result.status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(result.body),
  };
}

/**
 * A Lambda handler for one or more routes of the contract: envelope (request id, logs, metrics,
 * problems), authentication, JSON body, zod validation, then the action. `verifiers` are what the
 * function's routes need beyond API Gateway's own checks: installation proofs, accounts' API keys;
 * `prefetch`, a read to run alongside them.
 */
export function httpHandler<S extends RequestSchemas, P = undefined>(schemas: S, action: HttpAction<S, NoInfer<P>>, verifiers: CallerVerifiers = {}, prefetch?: Prefetch<P>) {
  return middy<HttpEvent, HttpResponse, Error, Context>()
    // `logEvent: false` outright: POWERTOOLS_LOGGER_LOG_EVENT would otherwise log whole events, with
    // their headers (API keys, DPoP proofs) and bodies (license keys, offline request files).
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(httpEnvelope())
    .before(({ event }) => {
      if (prefetch) startPrefetch(event, prefetch);
    })
    .use(authentication(verifiers))
    .use(jsonBodyParser())
    .handler(async (event) => {
      const route = event.route as RouteDefinition;
      const request: HttpRequest<S, P> = {
        body: (schemas.body ? validate(schemas.body, event.jsonBody, 'body') : validateNoBody(event.jsonBody)) as Parsed<S['body']>,
        query: (schemas.query ? validate(schemas.query, event.queryStringParameters ?? {}, 'query string') : undefined) as Parsed<S['query']>,
        params: (schemas.params ? validate(schemas.params, event.pathParameters ?? {}, 'path') : undefined) as Parsed<S['params']>,
        caller: event.caller ?? {},
        route,
        requestId: event.requestId ?? '',
        now: new Date(),
        prefetched: (await event.prefetched) as P,
        header: (name) => headerValue(event, name),
      };
      return jsonResponse(await action(request));
    });
}
