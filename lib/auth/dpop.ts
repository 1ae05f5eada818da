import { dpopProofType } from '@license-activation/contract/jws-types';
import { problem } from '@license-activation/contract/problem';
import { dpopMaxSkewSeconds } from '@license-activation/contract/proof-limits';
import type { InstallationPrincipal } from './principal.js';
import { proofIssuedAt, proofJti, verifySelfSignedJws } from './proof-of-possession.js';


export interface DpopRequest {
  readonly method: string;
  /** The request path as the server received it (without the API stage). */
  readonly path: string;
  /** Set where the route names the installation: the proof's key must be that installation's. */
  readonly installationId?: string;
}

function htuPath(htu: unknown): string {
  if (typeof htu !== 'string') throw problem('INVALID_PROOF', 'the proof needs an htu claim');
  try {
    return new URL(htu).pathname;
  } catch {
    throw problem('INVALID_PROOF', 'the proof htu is not a URL');
  }
}

/**
 * Verifies a DPoP proof (RFC 9449) for a request and returns the installation it proves.
 * The jti replay check is the caller's: it belongs in the same write as the request's change.
 */
export async function verifyDpopProof(proof: string | undefined, request: DpopRequest, now: Date): Promise<InstallationPrincipal> {
  if (!proof) throw problem('UNAUTHENTICATED', 'this route needs a DPoP proof in the DPoP header');
  const { payload, jwk, thumbprint } = await verifySelfSignedJws(proof, dpopProofType, now);
  const iat = proofIssuedAt(payload, now, dpopMaxSkewSeconds);
  const jti = proofJti(payload);
  if (payload.htm !== request.method) throw problem('INVALID_PROOF', 'the proof htm is not the request method');
  if (!htuPath(payload.htu).endsWith(request.path)) throw problem('INVALID_PROOF', 'the proof htu is not the request URL');
  if (request.installationId !== undefined && request.installationId !== thumbprint) {
    throw problem('INVALID_PROOF', "the proof's key is not this installation's key");
  }
  return { kind: 'installation', id: thumbprint, jwk, jti, iat };
}
