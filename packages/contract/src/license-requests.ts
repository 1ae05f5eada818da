import * as z from './zod.js';
import { displayText, id, isoTime } from './fields.js';
import { LicenseType } from './license-type.js';

/**
 * What license routes accept: the issuance body, the license path, the optional reason of a status change.
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

const count = z.int().check(z.minimum(1), z.maximum(1_000_000));

export const IssueLicenseInput = z.strictObject({
  customerId: id,
  productId: id,
  type: LicenseType,
  quantity: z.optional(count),
  edition: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  expiresAt: z.optional(isoTime),
  maxActivations: z.optional(count),
});
export type IssueLicenseInput = z.infer<typeof IssueLicenseInput>;

export const LicensePath = z.object({ licenseId: z.string() });

/** Optional body of suspend / reinstate / revoke: a reason kept in the audit event. */
export const LicenseStatusChangeInput = z.optional(z.strictObject({ reason: z.optional(displayText) }));
