import { dpopProofType } from '@license-activation/contract/jws-types';
import { problem } from '@license-activation/contract/problem';
import { dpopMaxSkewSeconds } from '@license-activation/contract/proof-limits';
import type { InstallationPrincipal } from './principal.js';
import { proofIssuedAt, proofJti, verifySelfSignedJws } from './proof-of-possession.js';


export interface DpopRequest {
  readonly method: string;
  /** The URL the request was sent to, as the service's public base URL plus the route's path. */
  readonly url: string;
  /** Set where the route names the installation: the proof's key must be that installation's. */
  readonly installationId?: string;
}

/** Scheme, host, port and path of a URL, normalised by WHATWG URL parsing; query and fragment dropped. */
function withoutQuery(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function htuUrl(htu: unknown): URL {
  if (typeof htu !== 'string') throw problem('INVALID_PROOF', 'the proof needs an htu claim');
  try {
    return new URL(htu);
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
  // The whole URL (RFC 9449 §4.3): a proof made for another service, port or path prefix is refused.
  if (withoutQuery(htuUrl(payload.htu)) !== withoutQuery(new URL(request.url))) throw problem('INVALID_PROOF', 'the proof htu is not the request URL');
  if (request.installationId !== undefined && request.installationId !== thumbprint) {
    throw problem('INVALID_PROOF', "the proof's key is not this installation's key");
  }
  return { kind: 'installation', id: thumbprint, jwk, jti, iat };
}
