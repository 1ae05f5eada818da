import * as z from './zod.js';
import { chainText, id, IdempotencyKey, licenseKeyText, machineReport } from './fields.js';
import { ActivationPath, InstallationPath } from './paths.js';
import type { RouteRequests } from './route-request.js';

/**
 * What installation routes accept: trials, activations, heartbeats, offline request files; and each route's request.
 * Each handler imports only its own area's module, so a function builds only the schemas it
 * validates with: building zod schemas is a good part of a cold start.
 */

export const TrialInput = z.strictObject({ productId: id, ...machineReport });
export type TrialInput = z.infer<typeof TrialInput>;

const activationFacts = { productId: id, ...machineReport };

/** An installation activates by the license key. */
export const KeyActivationInput = z.strictObject({ key: licenseKeyText, ...activationFacts });
/** An account names the license it activates for an installation (and may narrow it to a customer). */
export const LicenseIdActivationInput = z.strictObject({ licenseId: id, customerId: z.optional(id), ...activationFacts });

/** Exactly one of `key` and `licenseId`: the strict objects cannot both match. */
export const ActivationInput = z.xor([KeyActivationInput, LicenseIdActivationInput]);
export type ActivationInput = z.infer<typeof ActivationInput>;

export const HeartbeatInput = z.strictObject({
  version: machineReport.version,
  usage: z.strictObject({ activeUsers: z.int().check(z.minimum(0), z.maximum(100_000_000)) }),
  /** The `chain` of the newest token the installation holds (API.md §10); required where the product limits clones. */
  chain: z.optional(chainText),
});
export type HeartbeatInput = z.infer<typeof HeartbeatInput>;

export const OfflineActivationInput = z.strictObject({ request: z.string().check(z.minLength(1), z.maxLength(16_384)) });

/** The claims of an offline request file (a JWS signed by the installation key). */
export const OfflineRequestClaims = z.object({
  key: licenseKeyText,
  productId: id,
  ...machineReport,
  iat: z.number(),
  jti: z.string().check(z.minLength(1), z.maxLength(256)),
});
export type OfflineRequestClaims = z.infer<typeof OfflineRequestClaims>;

export const installationRequests = {
  startTrial: { body: TrialInput },
  activate: { body: ActivationInput },
  heartbeat: { params: InstallationPath, body: HeartbeatInput, headers: z.object({ 'Idempotency-Key': z.optional(IdempotencyKey) }) },
  releaseActivation: { params: ActivationPath },
  // The installation's own restore presents the chain of its newest token (API.md §10); its owners send none.
  getInstallation: { params: InstallationPath, query: z.object({ chain: z.optional(chainText) }) },
  restoreInstallation: { params: InstallationPath },
  clearClone: { params: InstallationPath },
  offlineActivate: { body: OfflineActivationInput },
} as const satisfies RouteRequests;
