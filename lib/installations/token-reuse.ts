import { isDeepStrictEqual } from 'node:util';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { InstallationRecord } from '../data/installations.js';
import type { SignedToken } from './license-token.js';

const day = 24 * 60 * 60;
/** How soon a token asks for its refresh while nothing changes: the previous token said the same. */
export const settledRefreshIntervalSeconds = 7 * day;
/** The heartbeat brake answers the head's token again for at most this long after its issue (API.md §10). */
export const brakePeriodSeconds = 7 * day;

/**
 * The claims every token has of its own, which say nothing about the licensing decision: a new token
 * carries a new chain (API.md §10), so the chain is not part of what it decides.
 */
const ownClaims = new Set(['iat', 'exp', 'refreshAfter', 'jti', 'chain']);

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

/** The installation's recent token when it carries the head of its chain: the token a retry answers again. */
export function headToken(installation: InstallationRecord): SignedToken | undefined {
  const recent = recentOf(installation);
  return recent !== undefined && installation.chain !== undefined && recent.claims.chain === installation.chain.head ? { token: recent.token, exp: recent.claims.exp, iat: recent.claims.iat } : undefined;
}

/**
 * The heartbeat brake: the head's token (and its `exp`, unchanged), when a heartbeat that presents the
 * head may get it again instead of a new signature — never a fork or a clone, whose presentations the
 * caller judged (`brakeMayAnswer`). The installation was changed by nothing but heartbeats since (same
 * revision lineage), the token is signed with the current key, at most 7 days old, does not yet ask for
 * a refresh (its `refreshAfter`, capped where time alone changes the decision, is ahead), and decides
 * exactly what a new one would: mode, limited reasons, warnings, licenses and the rest but the seats
 * consumed. It keeps the head, so detection waits for the next new token.
 */
export function reusableToken(installation: InstallationRecord, fresh: LicenseTokenClaims, keyId: string): SignedToken | undefined {
  const recent = recentOf(installation);
  if (!recent?.sameRevision || recent.kid !== keyId || headToken(installation) === undefined) return undefined;
  if (recent.claims.refreshAfter <= fresh.iat || fresh.iat - recent.claims.iat > brakePeriodSeconds) return undefined;
  return isDeepStrictEqual(decision(recent.claims), decision(fresh)) ? { token: recent.token, exp: recent.claims.exp, iat: recent.claims.iat } : undefined;
}
