import * as z from './zod.js';
import { id } from './fields.js';
import { InstallationPath, LicensePath } from './paths.js';
import type { RouteRequests } from './route-request.js';

/**
 * What the usage history and insights routes accept (API.md §11). Each handler imports only its own
 * area's module, so a function builds only the schemas it validates with.
 */

/** Whether `text` names a day of the calendar as `YYYY-MM-DD` (`2026-02-30` does not). */
export function isUtcDate(text: string): boolean {
  const midnight = Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(midnight) && new Date(midnight).toISOString().startsWith(text);
}

// A new schema for each parameter: the document describes each one on its own schema.
const utcDate = () => z.string().check(
  // A date that is not written YYYY-MM-DD is told so, and not also that it is no day of the calendar.
  z.regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a UTC date as YYYY-MM-DD', abort: true }),
  z.refine((text: string) => isUtcDate(text), { message: 'not a day of the calendar' }),
);

/** A range of days, both ends included: by default the 90 days up to today (the service checks the span). */
export const UsageQuery = z.strictObject({ from: z.optional(utcDate()), to: z.optional(utcDate()) });
export type UsageQuery = z.infer<typeof UsageQuery>;

export const InsightsQuery = z.strictObject({ customerId: z.optional(id) });
export type InsightsQuery = z.infer<typeof InsightsQuery>;

export const insightsRequests = {
  getLicenseUsage: { params: LicensePath, query: UsageQuery },
  getInstallationUsage: { params: InstallationPath, query: UsageQuery },
  getInsights: { query: InsightsQuery },
} as const satisfies RouteRequests;
