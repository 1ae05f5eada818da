import * as z from './zod.js';
import { id } from './fields.js';
import { CustomerPath, LicensePath } from './paths.js';
import type { RouteRequests } from './route-request.js';

/**
 * The query string of list routes (`limit` 1–100, default 50, an opaque `cursor`), and the requests
 * of the audit feeds. Each handler imports only its own area's module, so a function builds only the
 * schemas it validates with: building zod schemas is a good part of a cold start.
 */

const limitMessage = 'an integer from 1 to 100';
/** Sent as text; documented by what it becomes, an integer from 1 to 100 (lib/openapi reads query parameters' output side). */
const limit = z.pipe(
  z.pipe(z.string().check(z.regex(/^\d{1,3}$/, limitMessage)), z.transform(Number)),
  z.int().check(z.minimum(1, limitMessage), z.maximum(100, limitMessage)),
);

export const ListQuery = z.strictObject({
  limit: z._default(limit, 50),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListLicensesQuery = z.extend(ListQuery, { customerId: z.optional(id) });
export type ListLicensesQuery = z.infer<typeof ListLicensesQuery>;

export const auditRequests = {
  listCustomerEvents: { params: CustomerPath, query: ListQuery },
  listLicenseEvents: { params: LicensePath, query: ListQuery },
} as const satisfies RouteRequests;
