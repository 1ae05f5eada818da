import * as z from 'zod';
import { id, isoTime } from './fields.js';
import { LicenseType } from './license-type.js';

/**
 * What license routes accept: the issuance body, the license path, the optional reason of a status change.
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

export const IssueLicenseInput = z.strictObject({
  customerId: id,
  productId: id,
  type: LicenseType,
  quantity: z.number().int().min(1).max(1_000_000).optional(),
  edition: z.string().min(1).max(64).optional(),
  expiresAt: isoTime.optional(),
  maxActivations: z.number().int().min(1).max(1_000_000).optional(),
});
export type IssueLicenseInput = z.infer<typeof IssueLicenseInput>;

export const LicensePath = z.object({ licenseId: z.string() });

/** Optional body of suspend / reinstate / revoke: a reason kept in the audit event. */
export const LicenseStatusChangeInput = z.strictObject({ reason: z.string().max(500).optional() }).optional();
