import * as z from './zod.js';

/** What a license grants (API.md §4): an edition, user seats, support seats, an add-on, or server seats. */
export const LicenseType = z.enum(['edition', 'users', 'support', 'site', 'engine', 'server']);
export type LicenseType = z.infer<typeof LicenseType>;
