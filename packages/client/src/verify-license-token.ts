import { compactVerify, decodeProtectedHeader, errors, importJWK } from 'jose';
import type { ProtectedHeaderParameters } from 'jose';
import { licenseTokenType } from '@license-activation/contract/jws-types';
import { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { parseJson } from './parse-json.js';
import type { TrustedKeys } from './trusted-keys.js';

/** Which check a token failed. */
export type TokenProblem =
  | 'MALFORMED'
  | 'WRONG_ALGORITHM'
  | 'WRONG_TYPE'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'INVALID_CLAIMS'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'OTHER_INSTALLATION';

/** The outcome of verifying a token; time is not judged here (see `evaluateLicenseStatus`). */
export type TokenVerification =
  | { readonly valid: true; readonly claims: LicenseTokenClaims; readonly keyId: string }
  | { readonly valid: false; readonly problem: TokenProblem; readonly detail: string };

/** What a token must say to be this installation's token. */
export interface TokenExpectations {
  readonly issuer: string;
  /** The product id: the token's audience. */
  readonly productId: string;
  readonly installationId: string;
}

function protectedHeaderOf(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

const invalid = (problem: TokenProblem, detail: string): TokenVerification => ({ valid: false, problem, detail });

/**
 * Verifies a license token offline: an ES256 signature by one of the trusted keys, the `license+jwt`
 * type, the claims the contract defines, the issuer, the product as audience, and this installation
 * as both `sub` and `cnf.jkt` (so a token copied from another installation is worthless here).
 * Expiry is left to the caller, which judges it against a clock it trusts.
 *
 * @example
 * ```ts
 * const verification = await verifyLicenseToken(token, keys, { issuer: 'license-activation', productId: 'vault', installationId });
 * if (verification.valid) console.log(verification.claims.mode);
 * ```
 */
export async function verifyLicenseToken(token: string, keys: TrustedKeys, expected: TokenExpectations): Promise<TokenVerification> {
  const header = protectedHeaderOf(token);
  if (!header) return invalid('MALFORMED', 'the token is not a compact JWS');
  if (header.alg !== 'ES256') return invalid('WRONG_ALGORITHM', `the token is signed with ${String(header.alg)}, not ES256`);
  if (header.typ !== licenseTokenType) return invalid('WRONG_TYPE', `the token's type is ${String(header.typ)}, not ${licenseTokenType}`);
  const { kid } = header;
  const key = kid === undefined ? undefined : keys.keyFor(kid);
  if (kid === undefined || !key) return invalid('UNKNOWN_KEY', `the token is signed by key ${String(kid)}, which is not trusted`);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, await importJWK(key, 'ES256'), { algorithms: ['ES256'] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('BAD_SIGNATURE', 'the token signature does not verify');
    if (error instanceof errors.JOSEError) return invalid('MALFORMED', `the token is malformed: ${error.message}`);
    throw error;
  }

  const parsed = LicenseTokenClaims.safeParse(parseJson(new TextDecoder().decode(payload)));
  if (!parsed.success) return invalid('INVALID_CLAIMS', `the token claims are not a license token's: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const claims = parsed.data;
  if (claims.iss !== expected.issuer) return invalid('WRONG_ISSUER', `the token is issued by ${claims.iss}, not ${expected.issuer}`);
  if (claims.aud !== expected.productId) return invalid('WRONG_AUDIENCE', `the token is for product ${claims.aud}, not ${expected.productId}`);
  if (claims.sub !== expected.installationId || claims.cnf.jkt !== expected.installationId) {
    return invalid('OTHER_INSTALLATION', 'the token belongs to another installation');
  }
  return { valid: true, claims, keyId: kid };
}
