import { randomUUID } from 'node:crypto';
import type { Catalog, Product } from '@license-activation/contract/catalog-schema';
import { productById } from '@license-activation/contract/product-queries';
import { licenseTokenType } from '@license-activation/contract/jws-types';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { InstallationRecord } from '../data/installations.js';
import { effectiveLicenseStatus } from '@license-activation/contract/license-state';
import { decideLicenseMode } from '@license-activation/contract/license-mode';
import { signJwt } from '../keys/sign-jwt.js';
import type { TokenSigner } from '../keys/token-signer.js';
import { activatedLicenses, toSnapshot } from './installation-view.js';

export interface TokenDeps {
  readonly signer: TokenSigner;
  readonly catalog: Catalog;
  /** The `iss` of every token. */
  readonly issuer: string;
}

const day = 24 * 60 * 60;
/** A heartbeat token stays valid this long without a further heartbeat. */
export const onlineTokenLifetimeSeconds = 30 * day;
/** A license file (offline activation) stays valid this long, or until its license ends. */
export const offlineTokenLifetimeSeconds = 365 * day;
/** How often an online installation should heartbeat. */
export const refreshIntervalSeconds = day;

/**
 * Online tokens are refreshed by heartbeats (daily unless `refreshIntervalSeconds` says otherwise) and
 * end with the lease; an offline license file must last.
 */
export type TokenLifetime = { readonly kind: 'online'; readonly refreshIntervalSeconds?: number } | { readonly kind: 'offline' };

/** A signed token, its `exp` (epoch seconds), which slot accounting records, and its `iat`. */
export interface SignedToken {
  readonly token: string;
  readonly exp: number;
  readonly iat: number;
}

/** A token signed now, with the claims it carries. */
export interface NewToken extends SignedToken {
  readonly claims: LicenseTokenClaims;
}

const toEpoch = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

/** The product an installation runs; it was checked against the catalog when the installation was created. */
export function productOf(catalog: Catalog, productId: string): Product {
  const product = productById(catalog, productId);
  if (!product) throw new TypeError(`the catalog no longer has product ${productId}`);
  return product;
}

/**
 * A token's `exp` (API.md §5): 30 days online, 365 offline, and never past the earliest end of a license
 * it grants (so seats or features never outlive their license), nor, online, past the moment its
 * installation's lease would lapse if it were not seen again (so a reclaimed slot leaves no valid token).
 */
export function tokenExpiry(product: Product, installation: InstallationRecord, lifetime: TokenLifetime, now: Date): number {
  const iat = toEpoch(now);
  const ends = [iat + (lifetime.kind === 'online' ? onlineTokenLifetimeSeconds : offlineTokenLifetimeSeconds)];
  // The moment the installation would lapse unless seen again; the routes that see it set lastSeenAt to now first.
  if (lifetime.kind === 'online' && product.leaseDays !== undefined) ends.push(toEpoch(installation.lastSeenAt) + product.leaseDays * day);
  for (const activated of activatedLicenses(installation)) {
    // An already expired (or unusable) license grants nothing, so it cannot shorten the token.
    if (activated.expiresAt !== undefined && effectiveLicenseStatus(activated, now) === 'active') ends.push(toEpoch(activated.expiresAt));
  }
  return Math.min(...ends);
}

/**
 * The claims of an installation's license token at `now` (../shared/API.md §5): the decision of
 * `decideLicenseMode` plus identity and validity. Online tokens ask for a refresh daily or when time
 * alone changes the decision, whichever comes first, and never after they expire; license files last a
 * year or to their licenses' end.
 */
export function licenseClaims(deps: Pick<TokenDeps, 'catalog' | 'issuer'>, installation: InstallationRecord, lifetime: TokenLifetime, now: Date): LicenseTokenClaims {
  const product = productOf(deps.catalog, installation.productId);
  const decision = decideLicenseMode(product, toSnapshot(installation), now);
  // Strictly later than any token issued before (a second on, within the same second): the newest `iat` is the last issued.
  const iat = Math.max(toEpoch(now), (installation.tokenIat ?? 0) + 1);
  const exp = tokenExpiry(product, installation, lifetime, now);
  // An online token asks for its refresh well before it ends, however long its interval.
  const refreshAfter =
    lifetime.kind === 'offline'
      ? exp
      : Math.min(iat + (lifetime.refreshIntervalSeconds ?? refreshIntervalSeconds), iat + Math.floor((exp - iat) / 2), decision.changesAt ? toEpoch(decision.changesAt) : Infinity);
  return {
    iss: deps.issuer,
    aud: installation.productId,
    sub: installation.id,
    cnf: { jkt: installation.id },
    jti: randomUUID(),
    iat,
    exp,
    refreshAfter,
    ...(installation.customerId !== undefined ? { customerId: installation.customerId } : {}),
    mode: decision.mode,
    ...(decision.mode === 'limited' ? { limited: { reasons: decision.reasons, restricted: decision.restricted } } : {}),
    ...(decision.edition !== undefined ? { edition: decision.edition } : {}),
    features: decision.features,
    seats: decision.seats,
    ...(decision.support ? { support: decision.support } : {}),
    ...(decision.trial ? { trial: decision.trial } : {}),
    licenses: activatedLicenses(installation).map((activated) => ({
      id: activated.licenseId,
      type: activated.type,
      quantity: activated.quantity,
      ...(activated.edition !== undefined ? { edition: activated.edition } : {}),
      status: effectiveLicenseStatus(activated, now),
      ...(activated.expiresAt !== undefined ? { expiresAt: toEpoch(activated.expiresAt) } : {}),
    })),
    warnings: decision.warnings,
    // Online tokens carry the installation's head (API.md §10); license files carry no chain and are not judged.
    ...(lifetime.kind === 'online' && installation.chain !== undefined ? { chain: installation.chain.head } : {}),
  };
}

/** Signs a license token of these claims: exactly one signature (one KMS `Sign` on AWS). */
export async function signClaims(deps: TokenDeps, claims: LicenseTokenClaims): Promise<NewToken> {
  return { token: await signJwt(deps.signer, { typ: licenseTokenType }, claims), exp: claims.exp, iat: claims.iat, claims };
}

/** Signs an installation's license token at `now`. */
export function signLicenseToken(deps: TokenDeps, installation: InstallationRecord, lifetime: TokenLifetime, now: Date): Promise<NewToken> {
  return signClaims(deps, licenseClaims(deps, installation, lifetime, now));
}
