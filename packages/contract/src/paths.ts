import * as z from './zod.js';

/** The path parameters of routes, shared by several areas' requests. */

export const CustomerPath = z.object({ customerId: z.string() });
export const AssociationPath = z.object({ resellerId: z.string(), customerId: z.string() });
export const LicensePath = z.object({ licenseId: z.string() });
export const InstallationPath = z.object({ installationId: z.string() });
export const ActivationPath = z.object({ installationId: z.string(), licenseId: z.string() });
