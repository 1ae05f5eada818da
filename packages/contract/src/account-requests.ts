import * as z from './zod.js';
import { displayTextChecks, id } from './fields.js';

/**
 * What account and association routes accept: bodies and path parameters.
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

export const AssociationPath = z.object({ resellerId: z.string(), customerId: z.string() });
export const CustomerPath = z.object({ customerId: z.string() });
