import { createHash, createPublicKey, verify } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors } from 'jose';
import type { JWK, JWTPayload, ProtectedHeaderParameters } from 'jose';
import { problem } from '@license-activation/contract/problem';

/** A compact JWS signed by the key in its own `jwk` header, checked against that key. */
export interface SelfSignedJws {
  readonly payload: JWTPayload;
  readonly jwk: JWK;
  /** RFC 7638 thumbprint of `jwk`: the installation id. */
  readonly thumbprint: string;
}

/** The protected header, parsed by jose; anything that is not a compact JWS is INVALID_PROOF. */
function protectedHeaderOf(jws: string): ProtectedHeaderParameters {
  try {
    if (jws.split('.').length !== 3) throw new errors.JWSInvalid('not three parts');
    return decodeProtectedHeader(jws);
  } catch {
    throw problem('INVALID_PROOF', 'the proof is not a compact JWS');
  }
}

/**
 * The header's P-256 public key, checked before anything else is: ES256, the expected `typ`, no
 * extension this verifier would have to understand (`crit`), and a public key (no `d`).
 */
function headerKey(header: ProtectedHeaderParameters, typ: string): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  const { jwk } = header;
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || 'd' in jwk) {
    throw problem('INVALID_PROOF', 'the proof must carry a P-256 public key in its jwk header');
  }
  if (header.alg !== 'ES256') throw problem('INVALID_PROOF', 'the proof is not valid: its alg must be ES256');
  if (header.typ !== typ) throw problem('INVALID_PROOF', `the proof is not valid: its typ must be ${typ}`);
  if (header.crit !== undefined || header.b64 !== undefined) throw problem('INVALID_PROOF', 'the proof is not valid: it names header extensions (crit, b64)');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** The claims jose reads from the payload, with `exp` and `nbf` checked at `now` as jose's jwtVerify would. */
function claimsAt(jws: string, now: Date): JWTPayload {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(jws);
  } catch {
    throw problem('INVALID_PROOF', 'the proof is not valid: its payload is not a JSON object of claims');
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && (typeof payload[claim] !== 'number' || !Number.isFinite(payload[claim]))) {
      throw problem('INVALID_PROOF', `the proof is not valid: its ${claim} is not a number`);
    }
  }
  if (payload.exp !== undefined && payload.exp <= nowSeconds) throw problem('PROOF_EXPIRED', 'the proof has expired');
  if (payload.nbf !== undefined && payload.nbf > nowSeconds) throw problem('INVALID_PROOF', 'the proof is not valid yet (nbf)');
  return payload;
}

/**
 * Verifies a JWS signed with ES256 by the P-256 key embedded in its header (`typ` as given).
 * Any fault of form, header or signature is 401 INVALID_PROOF; an `exp` in the past is PROOF_EXPIRED.
 * The key's thumbprint (RFC 7638: SHA-256 of its required members in lexicographic order, pinned to
 * jose's by a test) is returned only once the signature holds. jose parses the header and the claims;
 * the signature is checked with node:crypto's one-shot `verify`, which takes half the CPU of jose's
 * WebCrypto check and none of its thread-pool round trips (docs/PERFORMANCE.md).
 */
export async function verifySelfSignedJws(jws: string, typ: string, now: Date): Promise<SelfSignedJws> {
  const jwk = headerKey(protectedHeaderOf(jws), typ);
  const [encodedHeader, encodedPayload, encodedSignature] = jws.split('.') as [string, string, string];
  let signed: boolean;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    signed = verify('sha256', Buffer.from(`${encodedHeader}.${encodedPayload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(encodedSignature, 'base64url'));
  } catch {
    // Coordinates that are not a point of the curve.
    signed = false;
  }
  if (!signed) throw problem('INVALID_PROOF', 'the proof is not valid: its signature does not verify with its jwk');
  const payload = claimsAt(jws, now);
  const thumbprint = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  return { payload, jwk, thumbprint };
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
