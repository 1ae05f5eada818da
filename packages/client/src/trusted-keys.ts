import * as z from 'zod';
import type { JWK } from 'jose';

/** A JSON Web Key Set as read from a file or the service: its keys are checked one by one. */
export interface KeySetDocument {
  readonly keys: readonly unknown[];
}

/** A key that may verify license tokens: a public P-256 key for ES256 signatures, named by its `kid`. */
const VerificationKey = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal('ES256').optional(),
  use: z.literal('sig').optional(),
  // A private key in a pinned set is a packaging mistake that would ship the vendor's signing key.
  d: z.never({ error: 'a private key must never be pinned or published' }).optional(),
});

function toVerificationJwk(key: z.infer<typeof VerificationKey>): JWK {
  const { kty, crv, x, y, kid } = key;
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

/**
 * The keys license tokens are verified with. The pinned keys, built into the vendor's product, are the
 * trust root and never change; keys fetched from the service can only be added next to them, under a
 * `kid` no pinned key has, and are kept in memory only (a key written to disk could be planted there).
 *
 * @example
 * ```ts
 * const keys = TrustedKeys.pin(JSON.parse(readFileSync('license-keys.json', 'utf8')));
 * keys.add(await (await fetch('https://licensing.example.com/.well-known/jwks.json')).json());
 * ```
 */
export class TrustedKeys {
  private readonly added = new Map<string, JWK>();

  private constructor(private readonly pinned: ReadonlyMap<string, JWK>) {}

  /** Pins a JWKS; throws when a key is not a public P-256 key with a `kid`, or two keys share a `kid`. */
  static pin(jwks: KeySetDocument): TrustedKeys {
    const pinned = new Map<string, JWK>();
    jwks.keys.forEach((candidate, index) => {
      const parsed = VerificationKey.safeParse(candidate);
      if (!parsed.success) throw new TypeError(`pinned key ${index} is not a public P-256 key with a kid: ${z.prettifyError(parsed.error)}`);
      if (pinned.has(parsed.data.kid)) throw new TypeError(`two pinned keys share the kid ${parsed.data.kid}`);
      pinned.set(parsed.data.kid, toVerificationJwk(parsed.data));
    });
    if (pinned.size === 0) throw new TypeError('pin at least one key');
    return new TrustedKeys(pinned);
  }

  /**
   * Adds the usable keys of a fetched JWKS whose `kid` is not known yet; a key under a known `kid`
   * is ignored, so a fetched set can never replace a pinned key. Returns the kids it added.
   */
  add(keys: readonly unknown[]): string[] {
    const addedNow: string[] = [];
    for (const candidate of keys) {
      const parsed = VerificationKey.safeParse(candidate);
      if (!parsed.success || this.keyFor(parsed.data.kid)) continue;
      this.added.set(parsed.data.kid, toVerificationJwk(parsed.data));
      addedNow.push(parsed.data.kid);
    }
    return addedNow;
  }

  /** The key with this `kid`, pinned first. */
  keyFor(kid: string): JWK | undefined {
    return this.pinned.get(kid) ?? this.added.get(kid);
  }
}
