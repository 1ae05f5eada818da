import * as z from 'zod';
import { id } from './fields.js';

/**
 * The query string of list routes (API.md §4: `limit` 1–100, default 50, an opaque `cursor`).
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

const limit = z
  .string()
  .regex(/^\d{1,3}$/, 'an integer from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'an integer from 1 to 100').max(100, 'an integer from 1 to 100'));

export const ListQuery = z.strictObject({
  limit: limit.default(50),
  cursor: z.string().min(1).max(4096).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ListLicensesQuery = ListQuery.extend({ customerId: id.optional() });
export type ListLicensesQuery = z.infer<typeof ListLicensesQuery>;
