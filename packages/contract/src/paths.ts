import * as z from './zod.js';

/** The path parameters of routes, shared by several areas' requests. A path segment is never empty. */

// A new schema for each parameter: the document describes each one on its own schema.
const segment = () => z.string().check(z.minLength(1));

export const CustomerPath = z.object({ customerId: segment() });
export const AssociationPath = z.object({ resellerId: segment(), customerId: segment() });
export const LicensePath = z.object({ licenseId: segment() });
export const InstallationPath = z.object({ installationId: segment() });
export const ActivationPath = z.object({ installationId: segment(), licenseId: segment() });
