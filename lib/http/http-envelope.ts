import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { logger } from '../platform/logger.js';
import { actorOf } from '../auth/principal.js';
import type { Caller } from '../auth/principal.js';
import { problem } from '@license-activation/contract/problem';
import type { ErrorCode } from '@license-activation/contract/problem';
import { findRoute } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import type { HttpEvent, HttpResponse } from './http-event.js';
import { problemResponse, toProblemError } from './problem-response.js';
import { countAnswer } from './request-metrics.js';

const startedAt = new WeakMap<object, number>();

/**
 * Who called, as the log line says it: the kind and id of who acted (a person by its `sub`, with the
 * account it acted through; ops by its IAM principal on AWS), never a name, email or credential.
 */
function loggedCaller(caller: Caller | undefined) {
  const { kind, id } = actorOf(caller ?? {});
  return { principal: kind, ...(kind === 'anonymous' ? {} : { principalId: id }), ...(caller?.membership ? { actingFor: caller.membership.accountId } : {}) };
}

function finish(event: HttpEvent, response: HttpResponse, code?: ErrorCode): HttpResponse {
  const requestId = event.requestId ?? 'unknown';
  const headers = { ...response.headers, 'X-Request-Id': requestId };
  const began = startedAt.get(event);
  logger.info('request', {
    route: event.route?.id,
    status: response.statusCode,
    ...loggedCaller(event.caller),
    latencyMs: began === undefined ? undefined : Math.round(performance.now() - began),
  });
  countAnswer({ route: event.route?.id as RouteId | undefined, status: response.statusCode, code });
  return { ...response, headers };
}

/**
 * The outermost middleware of every handler: gives the request its id and route, logs one line
 * per request (never the body or headers), publishes its metrics, and turns every error into an
 * RFC 9457 problem.
 */
export function httpEnvelope(): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    name: 'httpEnvelope',
    before: function httpEnvelopeBefore({ event }) {
      startedAt.set(event, performance.now());
      event.requestId = event.requestContext?.requestId || randomUUID();
      logger.appendKeys({ requestId: event.requestId });
      event.route = findRoute(event.httpMethod, event.resource);
      if (!event.route) throw problem('NOT_FOUND', `no route ${event.httpMethod} ${event.resource}`);
    },
    after: function httpEnvelopeAfter(request) {
      if (request.response) request.response = finish(request.event, request.response);
    },
    onError: function httpEnvelopeOnError(request) {
      const error = toProblemError(request.error);
      if (error.status >= 500) logger.error('request failed', { code: error.code, error: request.error });
      request.response = finish(request.event, problemResponse(error, request.event.requestId ?? 'unknown'), error.code);
    },
  };
}
