import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { activationRequestType } from '@license-activation/contract/jws-types';
import { Problem } from '@license-activation/contract/problem';
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

const compactJws = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** A saved HTTP answer (`curl -i`): its status and body, or undefined for anything else. */
function httpAnswer(text: string): { status: number; body: string } | undefined {
  const statusLine = /^HTTP\/[\d.]+ (\d{3})[^\n]*\n/.exec(text);
  if (!statusLine) return undefined;
  const headersEnd = /\r?\n\r?\n/.exec(text);
  return { status: Number(statusLine[1]), body: headersEnd ? text.slice(headersEnd.index + headersEnd[0].length).trim() : '' };
}

const rejected = (detail: string) => new LicenseClientError('TOKEN_REJECTED', detail);

/** The token of a JSON license file, or what the JSON is instead: an error answer, or something else. */
function tokenOfJson(text: string): string {
  const json = parseJson(text);
  if (json === undefined) throw rejected('the file starts as JSON but is not valid JSON (cut short?)');
  const answer = TokenResult.safeParse(json);
  if (answer.success) return answer.data.token;
  const problem = Problem.safeParse(json);
  if (problem.success) {
    throw rejected(`the file holds the service's refusal, not a license file: ${problem.data.code}: ${problem.data.detail} (status ${problem.data.status})`);
  }
  throw rejected('the file is JSON without a "token": not a license file, nor the service\'s {"token": …} answer');
}

/**
 * The license token in a license file: the token itself, the service's whole answer to
 * `POST /v1/offline-activations` (`{"token": …}`) as a browser or curl saves it, or that answer with
 * its HTTP status line and headers (`curl -i`). What is none of these is refused (`TOKEN_REJECTED`)
 * with what it is instead, so that a saved refusal is not taken for a bad token.
 *
 * @example
 * ```ts
 * const token = licenseFileToken(readFileSync('license.jwt', 'utf8'));
 * ```
 */
export function licenseFileToken(contents: string): string {
  const text = contents.trim();
  const http = httpAnswer(text);
  if (http && (http.status < 200 || http.status > 299)) {
    const refusal = http.body.startsWith('{') ? Problem.safeParse(parseJson(http.body)) : undefined;
    const why = refusal?.success ? `: ${refusal.data.code}: ${refusal.data.detail}` : '';
    throw rejected(`the file holds an HTTP answer with status ${http.status}${why}, not a license file`);
  }
  const body = http ? http.body : text;
  if (body.startsWith('{')) return tokenOfJson(body);
  if (!compactJws.test(body)) throw rejected('the file is not a license token (three base64url parts joined by dots), nor the service\'s {"token": …} answer');
  return body;
}
