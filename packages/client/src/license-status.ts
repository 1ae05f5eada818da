import type { Product } from '@license-activation/contract/catalog-schema';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { decideLicenseMode } from '@license-activation/contract/license-mode';
import type { LicenseMode, LimitedReason, WarningCode } from '@license-activation/contract/license-mode';
import type { TokenProblem, TokenVerification } from './verify-license-token.js';

/**
 * Why the installation runs in limited mode: the contract's reasons (from the token, or judged by the
 * client from the token's own dates), plus the client's own:
 * - `INVALID_TOKEN`: the stored token fails verification (bad signature, unknown `kid`, another
 *   installation's or product's token…); `tokenProblem` says which check failed.
 * - `TOKEN_EXPIRED`: the token is past its `exp`: the grace period after `refreshAfter` is over.
 * - `CLOCK_TAMPERED`: the clock is behind the latest time this installation has seen, beyond the tolerance.
 */
export type StatusReason = LimitedReason | 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'CLOCK_TAMPERED';

/**
 * Something to tell the administrator in any mode: the token's warnings, plus the client's own
 * `REFRESH_OVERDUE` (past `refreshAfter`, inside the grace period: heartbeat soon).
 */
export interface StatusWarning {
  readonly code: WarningCode | 'REFRESH_OVERDUE';
  readonly detail: string;
}

/** What the installation may do now, as {@link evaluateLicenseStatus} judges it. */
export interface LicenseStatus {
  readonly installationId: string;
  readonly mode: LicenseMode;
  /** Empty exactly in full mode. */
  readonly reasons: StatusReason[];
  /** Capabilities limited mode takes away; empty in full mode. */
  readonly restricted: string[];
  /** Capabilities and add-ons enabled now. */
  readonly features: string[];
  readonly edition: string | null;
  /** Licensed and consumed user seats, per the token; null without a valid token. */
  readonly seats: LicenseTokenClaims['seats'] | null;
  /** When the token stops being valid (ISO-8601): the end of the grace period. */
  readonly expiresAt: string | null;
  /** When the installation should heartbeat next (ISO-8601). */
  readonly refreshAfter: string | null;
  /** When the trial ends or ended (ISO-8601), while on trial. */
  readonly trialEndsAt: string | null;
  readonly warnings: StatusWarning[];
  /** With `INVALID_TOKEN`: which check the stored token failed. */
  readonly tokenProblem: { readonly problem: TokenProblem; readonly detail: string } | null;
  /** The instant this status was judged at (ISO-8601). */
  readonly evaluatedAt: string;
}

export interface StatusInput {
  readonly installationId: string;
  readonly product: Product;
  /** The version of the product this installation runs. */
  readonly productVersion: string;
  /** The stored token, verified; undefined when none is stored. */
  readonly token: TokenVerification | undefined;
  readonly now: Date;
  /** The latest time seen before (epoch ms); undefined the first time. */
  readonly highestTimeSeen: number | undefined;
  /** How far the clock may be behind `highestTimeSeen` before it counts as set back. */
  readonly clockToleranceSeconds: number;
}

const isoTime = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();

/** What the service leaves an installation without a usable license: limited mode's features and restrictions. */
function unlicensedCapabilities(input: StatusInput): Pick<LicenseStatus, 'features' | 'restricted'> {
  const { features, restricted } = decideLicenseMode(input.product, { productId: input.product.id, version: input.productVersion, licenses: [] }, input.now);
  return { features, restricted };
}

// Like the service: limited once every base license the token lists as active has reached its end.
function baseLicensesExpired(claims: LicenseTokenClaims, product: Product, atSeconds: number): boolean {
  const active = claims.licenses.filter((license) => license.type === product.baseLicenseType && license.status === 'active');
  return active.length > 0 && active.every((license) => license.expiresAt !== undefined && license.expiresAt <= atSeconds);
}

/**
 * The token's decision again, without the licenses that ended since it was signed: their seats and
 * features go at their `expiresAt`, even while the token itself is valid (tokens from servers that did
 * not yet end them there). Undefined while every license the token grants is still within its end.
 */
function withoutEndedLicenses(claims: LicenseTokenClaims, input: StatusInput, atSeconds: number) {
  const ended = claims.licenses.some((license) => license.status === 'active' && license.expiresAt !== undefined && license.expiresAt <= atSeconds);
  if (!ended) return undefined;
  const licenses = claims.licenses.map((license) => ({
    id: license.id,
    type: license.type,
    quantity: license.quantity,
    ...(license.edition === undefined ? {} : { edition: license.edition }),
    // Expiry is judged from `expiresAt` again; the other statuses are the service's word.
    status: license.status === 'expired' ? ('active' as const) : license.status,
    ...(license.expiresAt === undefined ? {} : { expiresAt: isoTime(license.expiresAt) }),
  }));
  return decideLicenseMode(
    input.product,
    {
      productId: input.product.id,
      version: input.productVersion,
      licenses,
      usage: { activeUsers: claims.seats.consumed, reportedAt: isoTime(claims.iat) },
      cloneDetected: claims.warnings.some((warning) => warning.code === 'CLONE_DETECTED'),
    },
    new Date(atSeconds * 1000),
  );
}

function refreshOverdue(claims: LicenseTokenClaims, atSeconds: number): StatusWarning[] {
  if (claims.refreshAfter > atSeconds || claims.exp <= atSeconds) return [];
  return [{ code: 'REFRESH_OVERDUE', detail: `the license should have been refreshed at ${isoTime(claims.refreshAfter)}; it stays valid until ${isoTime(claims.exp)}: let the installation reach the licensing service` }];
}

/**
 * The installation's mode at `now`, offline, from its stored token (verified) and the clock. Pure.
 *
 * In order: no token is `NOT_ACTIVATED`, a token that fails verification `INVALID_TOKEN`; a valid token
 * is then judged against time: past `exp` (`TOKEN_EXPIRED`), past the trial's end (`TRIAL_EXPIRED`), past
 * the end of every base license (`LICENSE_EXPIRED`); a clock set back behind the latest time seen adds
 * `CLOCK_TAMPERED`, and time is then judged by that latest time, so setting the clock back never extends
 * anything. Without any of these, the token's own mode, reasons and restrictions hold. Whenever the client
 * limits the installation on its own, the features are those the product leaves an unlicensed installation.
 *
 * @example
 * ```ts
 * const status = evaluateLicenseStatus({ installationId, product, productVersion: '5.2.0', token: verification, now: new Date(), highestTimeSeen, clockToleranceSeconds: 300 });
 * if (status.mode === 'limited') showBanner(status.reasons);
 * ```
 */
export function evaluateLicenseStatus(input: StatusInput): LicenseStatus {
  const nowMs = input.now.getTime();
  const highestMs = Math.max(input.highestTimeSeen ?? nowMs, nowMs);
  const clockReasons: StatusReason[] = nowMs < highestMs - input.clockToleranceSeconds * 1000 ? ['CLOCK_TAMPERED'] : [];
  const atSeconds = highestMs / 1000;
  const { token } = input;

  if (!token?.valid) {
    return {
      installationId: input.installationId,
      mode: 'limited',
      reasons: [token ? 'INVALID_TOKEN' : 'NOT_ACTIVATED', ...clockReasons],
      ...unlicensedCapabilities(input),
      edition: null,
      seats: null,
      expiresAt: null,
      refreshAfter: null,
      trialEndsAt: null,
      warnings: [],
      tokenProblem: token ? { problem: token.problem, detail: token.detail } : null,
      evaluatedAt: input.now.toISOString(),
    };
  }

  const { claims } = token;
  const tokenReasons: StatusReason[] = claims.limited?.reasons ?? [];
  const judgedReasons: StatusReason[] = [
    ...(claims.exp <= atSeconds ? (['TOKEN_EXPIRED'] as const) : []),
    ...(claims.trial && claims.trial.endsAt <= atSeconds ? (['TRIAL_EXPIRED'] as const) : []),
    ...(baseLicensesExpired(claims, input.product, atSeconds) ? (['LICENSE_EXPIRED'] as const) : []),
    ...clockReasons,
  ].filter((reason) => !tokenReasons.includes(reason));
  const asTokenSays = judgedReasons.length === 0;
  const redecided = asTokenSays ? withoutEndedLicenses(claims, input, atSeconds) : undefined;
  const granted = redecided
    ? { mode: redecided.mode, reasons: redecided.reasons, features: redecided.features, restricted: redecided.restricted, edition: redecided.edition ?? null, seats: redecided.seats }
    : {
        mode: asTokenSays ? claims.mode : ('limited' as const),
        reasons: [...tokenReasons, ...judgedReasons],
        ...(asTokenSays ? { features: claims.features, restricted: claims.limited?.restricted ?? [] } : unlicensedCapabilities(input)),
        edition: claims.edition ?? null,
        seats: claims.seats,
      };

  return {
    installationId: input.installationId,
    ...granted,
    expiresAt: isoTime(claims.exp),
    refreshAfter: isoTime(claims.refreshAfter),
    trialEndsAt: claims.trial ? isoTime(claims.trial.endsAt) : null,
    warnings: [...claims.warnings, ...refreshOverdue(claims, atSeconds)],
    tokenProblem: null,
    evaluatedAt: input.now.toISOString(),
  };
}

/**
 * Whether a capability may be used in this status: in full mode when the token enables it; in limited
 * mode only when it is enabled and limited mode does not take it away.
 *
 * @example
 * ```ts
 * if (!isCapabilityAllowed(status, 'ad-sync')) return refuse('AD sync needs a license');
 * ```
 */
export function isCapabilityAllowed(status: Pick<LicenseStatus, 'mode' | 'features' | 'restricted'>, capability: string): boolean {
  if (!status.features.includes(capability)) return false;
  return status.mode === 'full' || !status.restricted.includes(capability);
}
