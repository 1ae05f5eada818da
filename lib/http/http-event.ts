import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Caller } from '../auth/principal.js';
import type { RouteDefinition } from '@license-activation/contract/routes';

/** The API Gateway (REST, payload 1.0) event, as the middlewares leave it for the handler. */
export interface HttpEvent extends APIGatewayProxyEvent {
  /** Set by `httpEnvelope`: the request id that every response and log line carries. */
  requestId?: string;
  /** Set by `httpEnvelope`: the contract route this event was sent to. */
  route?: RouteDefinition;
  /** Set by `authentication`. */
  caller?: Caller;
  /** Set by `jsonBodyParser`. */
  jsonBody?: unknown;
}

export type HttpResponse = APIGatewayProxyResult;

/** What an action returns: a status and a JSON body (absent for 204). */
export interface HttpResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A header's value, whatever its case (API Gateway keeps the client's case). */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
