import { createHash } from 'node:crypto';
import { decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { problem } from '@license-activation/contract/problem';

/** A compact JWS signed by the key in its own `jwk` header, checked against that key. */
export interface SelfSignedJws {
  readonly payload: JWTPayload;
  readonly jwk: JWK;
  /** RFC 7638 thumbprint of `jwk`: the installation id. */
  readonly thumbprint: string;
}

/**
 * The RFC 7638 thumbprint of the P-256 key in a JWS header: SHA-256 of its required members in
 * lexicographic order. Hashed at once with node:crypto rather than by jose's `calculateJwkThumbprint`,
 * which is one more WebCrypto job (a round trip through the thread pool) per request; a test pins the
 * two to the same answer. The header is read and checked first, so a malformed proof is refused before
 * anything starts.
 */
function headerKeyThumbprint(jws: string): string {
  let jwk: JWK | undefined;
  try {
    jwk = decodeProtectedHeader(jws).jwk;
  } catch {
    throw problem('INVALID_PROOF', 'the proof is not a compact JWS');
  }
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw problem('INVALID_PROOF', 'the proof must carry a P-256 public key in its jwk header');
  }
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

/**
 * Verifies a JWS signed with ES256 by the P-256 key embedded in its header (`typ` as given).
 * Any fault of form, header or signature is 401 INVALID_PROOF; an `exp` in the past is PROOF_EXPIRED.
 * The key's thumbprint is returned only once the signature holds.
 */
export async function verifySelfSignedJws(jws: string, typ: string, now: Date): Promise<SelfSignedJws> {
  try {
    const thumbprint = headerKeyThumbprint(jws);
    const { payload, protectedHeader } = await jwtVerify(jws, EmbeddedJWK, { typ, algorithms: ['ES256'], currentDate: now });
    const { kty, crv, x, y } = protectedHeader.jwk ?? {};
    return { payload, jwk: { kty, crv, x, y }, thumbprint };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw problem('PROOF_EXPIRED', 'the proof has expired');
    if (error instanceof errors.JOSEError) throw problem('INVALID_PROOF', `the proof is not valid: ${error.message}`);
    throw error;
  }
}

const maxJtiLength = 256;

/** The proof's `jti`, a non-empty string of bounded length. */
export function proofJti(payload: JWTPayload): string {
  const { jti } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > maxJtiLength) {
    throw problem('INVALID_PROOF', `the proof needs a jti of 1 to ${maxJtiLength} characters`);
  }
  return jti;
}

/** The proof's `iat`, checked to lie within `maxAgeSeconds` of now (either side, for clock skew). */
export function proofIssuedAt(payload: JWTPayload, now: Date, maxAgeSeconds: number, futureToleranceSeconds = maxAgeSeconds): number {
  const { iat } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw problem('INVALID_PROOF', 'the proof needs a numeric iat');
  const nowSeconds = now.getTime() / 1000;
  if (nowSeconds - iat > maxAgeSeconds) throw problem('PROOF_EXPIRED', 'the proof is too old');
  if (iat - nowSeconds > futureToleranceSeconds) throw problem('PROOF_EXPIRED', 'the proof is issued in the future');
  return iat;
}
