import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify } from 'jose';
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
 * The RFC 7638 thumbprint of the P-256 key in a JWS header, hashing. The header is read and checked
 * at once, so a malformed proof is refused before anything starts.
 */
function headerKeyThumbprint(jws: string): Promise<string> {
  let jwk: JWK | undefined;
  try {
    jwk = decodeProtectedHeader(jws).jwk;
  } catch {
    throw problem('INVALID_PROOF', 'the proof is not a compact JWS');
  }
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw problem('INVALID_PROOF', 'the proof must carry a P-256 public key in its jwk header');
  }
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256');
}

/**
 * Verifies a JWS signed with ES256 by the P-256 key embedded in its header (`typ` as given).
 * Any fault of form, header or signature is 401 INVALID_PROOF; an `exp` in the past is PROOF_EXPIRED.
 * The key's thumbprint is hashed while jose verifies the signature with that same header key (both
 * wait on WebCrypto), and is returned only once the signature holds.
 */
export async function verifySelfSignedJws(jws: string, typ: string, now: Date): Promise<SelfSignedJws> {
  try {
    const thumbprint = headerKeyThumbprint(jws);
    const [{ payload, protectedHeader }, installationId] = await Promise.all([
      jwtVerify(jws, EmbeddedJWK, { typ, algorithms: ['ES256'], currentDate: now }),
      thumbprint,
    ]);
    const { kty, crv, x, y } = protectedHeader.jwk ?? {};
    return { payload, jwk: { kty, crv, x, y }, thumbprint: installationId };
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
