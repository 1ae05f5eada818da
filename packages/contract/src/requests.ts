import { accountRequests } from './account-requests.js';
import { insightsRequests } from './insights-requests.js';
import { installationRequests } from './installation-requests.js';
import { licenseRequests } from './license-requests.js';
import { auditRequests } from './list-requests.js';
import type { RouteRequest } from './route-request.js';
import { routes } from './routes.js';
import type { DeclaredRouteId, RouteId } from './routes.js';
import { personRequests } from './person-requests.js';
import { serviceRequests } from './service-requests.js';
import { webhookRequests } from './webhook-requests.js';

/**
 * Every route's request, by route id, gathered from the areas' modules: a route without one is a
 * compile error here. The OpenAPI document and the tests read this; a function imports its own
 * area's module instead, to build no schema it does not validate with.
 */
export const routeRequests = {
  ...serviceRequests,
  ...accountRequests,
  ...licenseRequests,
  ...auditRequests,
  ...installationRequests,
  ...personRequests,
  ...insightsRequests,
  ...webhookRequests,
} as const satisfies Record<DeclaredRouteId, RouteRequest>;

const byRoute = new Map<string, RouteRequest>(routes.map((route) => [route.id, routeRequests[route.twinOf ?? (route.id as DeclaredRouteId)]]));

/** One route's request, typed for code that handles any route; an ops twin's is the route's it mirrors. */
export function requestOf(id: RouteId): RouteRequest {
  return byRoute.get(id) as RouteRequest;
}
