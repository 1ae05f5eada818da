import { isDeepStrictEqual } from 'node:util';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { InstallationRecord } from '../data/installations.js';
import type { SignedToken } from './license-token.js';

const day = 24 * 60 * 60;
/**
 * The heartbeat brake: within this many seconds of its token's issue an installation's heartbeat is
 * recorded but answered with that same token, whatever it reports, so hammering the route costs no
 * signature (one KMS `Sign` on AWS).
 */
export const heartbeatBrakeSeconds = 5 * 60;
/** How soon a token asks for its refresh while nothing changes: the previous token said the same. */
export const settledRefreshIntervalSeconds = 7 * day;

/** The claims every token has of its own, which say nothing about the licensing decision. */
const ownClaims = new Set(['iat', 'exp', 'refreshAfter', 'jti']);

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * What a token decides, without the claims each token has of its own, and without the seats consumed:
 * they are as last reported when the token was issued, and a report that changes the decision
 * (`SEATS_EXCEEDED`) changes the mode or the warnings too.
 */
function decision(claims: LicenseTokenClaims): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(claims).filter(([name]) => !ownClaims.has(name)));
  return { ...kept, seats: { users: claims.seats.users } };
}

/** The claims of a token this service signed, decoded without verifying it. */
export function claimsOfToken(token: string): LicenseTokenClaims {
  return decodeSegment(token.split('.')[1]) as unknown as LicenseTokenClaims;
}

/** The installation's recent online token, header and claims decoded (it was signed by this service). */
function recentOf(installation: InstallationRecord): { token: string; kid: unknown; claims: LicenseTokenClaims; sameRevision: boolean } | undefined {
  const recent = installation.recentToken;
  if (!recent) return undefined;
  return { token: recent.token, kid: decodeSegment(recent.token.split('.')[0]).kid, claims: claimsOfToken(recent.token), sameRevision: recent.rev === installation.rev };
}

/** Whether the installation's recent token decides exactly what `fresh` decides: nothing changed since. */
export function answerSettled(installation: InstallationRecord, fresh: LicenseTokenClaims): boolean {
  const recent = recentOf(installation);
  return recent !== undefined && isDeepStrictEqual(decision(recent.claims), decision(fresh));
}

/**
 * The recent token (and its `exp`, unchanged), when a heartbeat may answer it instead of signing a new one: the installation was
 * changed by nothing but heartbeats since (same revision lineage), it is signed with the current key,
 * it does not yet ask for a refresh (its `refreshAfter`, capped where time alone changes the decision,
 * is ahead), and either it is younger than the brake or it decides exactly what a new one would.
 */
export function reusableToken(installation: InstallationRecord, fresh: LicenseTokenClaims, keyId: string): SignedToken | undefined {
  const recent = recentOf(installation);
  if (!recent?.sameRevision || recent.kid !== keyId || recent.claims.refreshAfter <= fresh.iat) return undefined;
  const braked = fresh.iat - recent.claims.iat < heartbeatBrakeSeconds;
  return braked || isDeepStrictEqual(decision(recent.claims), decision(fresh)) ? { token: recent.token, exp: recent.claims.exp } : undefined;
}
