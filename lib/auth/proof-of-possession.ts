import { calculateJwkThumbprint, EmbeddedJWK, errors, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { problem } from '../contract/problem.js';

/** A compact JWS signed by the key in its own `jwk` header, checked against that key. */
export interface SelfSignedJws {
  readonly payload: JWTPayload;
  readonly jwk: JWK;
  /** RFC 7638 thumbprint of `jwk`: the installation id. */
  readonly thumbprint: string;
}

/**
 * Verifies a JWS signed with ES256 by the P-256 key embedded in its header (`typ` as given).
 * Any fault of form, header or signature is 401 INVALID_PROOF; an `exp` in the past is PROOF_EXPIRED.
 */
export async function verifySelfSignedJws(jws: string, typ: string, now: Date): Promise<SelfSignedJws> {
  try {
    const { payload, protectedHeader } = await jwtVerify(jws, EmbeddedJWK, {
      typ,
      algorithms: ['ES256'],
      currentDate: now,
    });
    const jwk = protectedHeader.jwk;
    if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw problem('INVALID_PROOF', 'the proof must carry a P-256 public key in its jwk header');
    }
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
    return { payload, jwk: publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk, 'sha256') };
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
