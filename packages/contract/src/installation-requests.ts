import * as z from './zod.js';
import { id, machineReport } from './fields.js';

/**
 * What installation routes accept: trials, activations, heartbeats, paths, offline request files.
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

export const TrialInput = z.strictObject({ productId: id, ...machineReport });
export type TrialInput = z.infer<typeof TrialInput>;

export const ActivationInput = z
  .strictObject({
    key: z.optional(z.string().check(z.maxLength(256))),
    licenseId: z.optional(id),
    customerId: z.optional(id),
    productId: id,
    ...machineReport,
  })
  .check(
    z.superRefine((input, context) => {
      if ((input.key === undefined) === (input.licenseId === undefined)) {
        context.addIssue({ code: 'custom', path: ['key'], message: 'give either key or licenseId' });
      }
      if (input.customerId !== undefined && input.licenseId === undefined) {
        context.addIssue({ code: 'custom', path: ['customerId'], message: 'customerId goes with licenseId' });
      }
    }),
  );
export type ActivationInput = z.infer<typeof ActivationInput>;

export const HeartbeatInput = z.strictObject({
  version: machineReport.version,
  usage: z.strictObject({ activeUsers: z.int().check(z.minimum(0), z.maximum(100_000_000)) }),
});
export type HeartbeatInput = z.infer<typeof HeartbeatInput>;

export const InstallationPath = z.object({ installationId: z.string() });
export const ActivationPath = z.object({ installationId: z.string(), licenseId: z.string() });

export const OfflineActivationInput = z.strictObject({ request: z.string().check(z.minLength(1), z.maxLength(16_384)) });

/** The claims of an offline request file (a JWS signed by the installation key). */
export const OfflineRequestClaims = z.object({
  key: z.string().check(z.maxLength(256)),
  productId: id,
  ...machineReport,
  iat: z.number(),
  jti: z.string().check(z.minLength(1), z.maxLength(256)),
});
export type OfflineRequestClaims = z.infer<typeof OfflineRequestClaims>;
