import type * as z from './zod.js';
import type { RouteId } from './routes.js';

/**
 * What one route reads from a request, as the zod schemas that validate it: the handler's
 * validation (lib/http) and the OpenAPI document both read these, and nothing else describes a
 * route's input. A part left out must be absent (a body) or is not read (query, headers).
 */
export interface RouteRequest {
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniObject;
  readonly params?: z.ZodMiniObject;
  /** Request headers besides the credentials, by their canonical names (matched whatever their case). */
  readonly headers?: z.ZodMiniObject;
}

/** The requests of some routes, by route id: an area's module holds its routes' entries. */
export type RouteRequests = { readonly [id in RouteId]?: RouteRequest };

/** The entries of the routes one function serves, picked from its area's requests. */
export function requestsOf<T extends RouteRequests, K extends keyof T & RouteId>(requests: T, ...ids: readonly K[]): Pick<T, K> {
  return Object.fromEntries(ids.map((id) => [id, requests[id]])) as Pick<T, K>;
}
