import type { RouteRequests } from './route-request.js';

/** The service's own routes read nothing from a request (and so their functions never load zod). */
export const serviceRequests = { health: {}, jwks: {}, openapi: {}, signInConfig: {} } as const satisfies RouteRequests;
