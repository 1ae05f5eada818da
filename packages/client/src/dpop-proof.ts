import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { dpopProofType } from '@license-activation/contract/jws-types';
import type { InstallationKey } from './installation-key.js';


/**
 * A DPoP proof (RFC 9449) for one request: signed by the installation key, which it carries in its
 * header, and bound to the method and the full request URL; a fresh `jti` each time, so it cannot be replayed.
 *
 * @example
 * ```ts
 * const proof = await createDpopProof(key, { method: 'POST', url: 'https://licensing.example.com/v1/trials' }, new Date());
 * await fetch(url, { method: 'POST', headers: { DPoP: proof }, body });
 * ```
 */
export function createDpopProof(key: InstallationKey, request: { readonly method: string; readonly url: string }, now: Date): Promise<string> {
  return new SignJWT({ jti: randomUUID(), htm: request.method, htu: request.url, iat: Math.floor(now.getTime() / 1000) })
    .setProtectedHeader({ typ: dpopProofType, alg: 'ES256', jwk: key.publicJwk })
    .sign(key.privateKey);
}
