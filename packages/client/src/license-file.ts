import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { activationRequestType } from '@license-activation/contract/jws-types';
import { OfflineRequestClaims, TokenResult } from '@license-activation/contract/schemas';
import { LicenseClientError } from './errors.js';
import type { InstallationKey } from './installation-key.js';
import { parseJson } from './parse-json.js';


/** What an offline request file asks for: the key and the machine facts an online activation would send. */
export type ActivationRequest = Omit<OfflineRequestClaims, 'iat' | 'jti'>;

/**
 * An offline request file: a compact JWS signed by the installation key, which its header carries, so
 * the service learns the installation id from the file alone. Valid for 7 days, once.
 *
 * @example
 * ```ts
 * const file = await createActivationRequest(key, { key: licenseKey, productId: 'vault', fingerprint, hostname, version: '5.2.0', virtual: false }, new Date());
 * ```
 */
export async function createActivationRequest(key: InstallationKey, request: ActivationRequest, now: Date): Promise<string> {
  const claims = OfflineRequestClaims.parse({ ...request, iat: Math.floor(now.getTime() / 1000), jti: randomUUID() });
  return new SignJWT(claims).setProtectedHeader({ typ: activationRequestType, alg: 'ES256', jwk: key.publicJwk }).sign(key.privateKey);
}

/**
 * The license token in a license file: either the token itself, or the service's whole answer to
 * `POST /v1/offline-activations` (`{"token": …}`), as a browser or curl saves it.
 *
 * @example
 * ```ts
 * const token = licenseFileToken(readFileSync('license.jwt', 'utf8'));
 * ```
 */
export function licenseFileToken(contents: string): string {
  const text = contents.trim();
  if (!text.startsWith('{')) return text;
  const answer = TokenResult.safeParse(parseJson(text));
  if (!answer.success) throw new LicenseClientError('TOKEN_REJECTED', 'the license file is neither a token nor an answer holding one');
  return answer.data.token;
}
