import * as z from './zod.js';
import { displayTextChecks, id } from './fields.js';
import { ListQuery } from './list-requests.js';
import { AssociationPath } from './paths.js';
import type { RouteRequests } from './route-request.js';

/**
 * What account and association routes accept, and each route's request.
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

export const AccountInput = z.strictObject({
  name: z.string().check(z.trim(), ...displayTextChecks),
  email: z.email().check(z.maxLength(254)),
});
export type AccountInput = z.infer<typeof AccountInput>;

export const AssociationInput = z.strictObject({ resellerId: id, customerId: id });
export type AssociationInput = z.infer<typeof AssociationInput>;

export const accountRequests = {
  registerAccount: { body: AccountInput },
  createReseller: { body: AccountInput },
  addAssociation: { body: AssociationInput },
  removeAssociation: { params: AssociationPath },
  createCustomer: { body: AccountInput },
  listCustomers: { query: ListQuery },
} as const satisfies RouteRequests;
