import * as z from 'zod';
import { LicenseType } from './license-type.js';
import { LicenseMode, LimitedReason, WarningCode } from './license-mode.js';

const epochSeconds = z.number().int();

/**
 * The claims of a license token (../shared/API.md §5): what an installation may do, signed by the
 * service. The on-prem client verifies the signature with pinned keys, then parses these claims.
 */
export const LicenseTokenClaims = z.object({
  iss: z.string(),
  /** The product id. */
  aud: z.string(),
  /** The installation id (its key's RFC 7638 thumbprint), repeated in `cnf.jkt` (RFC 7800). */
  sub: z.string(),
  cnf: z.object({ jkt: z.string() }),
  jti: z.string(),
  iat: epochSeconds,
  exp: epochSeconds,
  refreshAfter: epochSeconds,
  customerId: z.string().optional(),
  mode: LicenseMode,
  limited: z.object({ reasons: z.array(LimitedReason), restricted: z.array(z.string()) }).optional(),
  edition: z.string().optional(),
  features: z.array(z.string()),
  seats: z.object({ users: z.number().int(), consumed: z.number().int() }),
  support: z.object({ seats: z.number().int(), until: epochSeconds.optional(), updatesEligible: z.boolean() }).optional(),
  trial: z.object({ endsAt: epochSeconds }).optional(),
  licenses: z.array(
    z.object({
      id: z.string(),
      type: LicenseType,
      quantity: z.number().int(),
      edition: z.string().optional(),
      status: z.enum(['active', 'suspended', 'revoked', 'expired']),
      expiresAt: epochSeconds.optional(),
    }),
  ),
  warnings: z.array(z.object({ code: WarningCode, detail: z.string() })),
  /**
   * Online tokens only: a value that changes with every new head (API.md §10). The installation presents the
   * chain of its newest token with each heartbeat, so that two copies of one installation collide.
   */
  chain: z.string().optional(),
});
export type LicenseTokenClaims = z.infer<typeof LicenseTokenClaims>;
