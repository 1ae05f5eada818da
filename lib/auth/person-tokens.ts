import { createHash } from 'node:crypto';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { problem, ProblemError } from '@license-activation/contract/problem';
import type { UserPoolConfig } from '../platform/config.js';
import { userDirectoryClient, userPool, userPoolIssuer } from '../platform/user-directory.js';
import type { PersonPrincipal } from './principal.js';

/**
 * A person's access token from the user directory, verified with jose against the directory's JWKS:
 * the same library and code for Cognito on AWS and for cognito-local, whose `local_…` pool ids
 * aws-jwt-verify's Cognito verifier refuses (docs/ARCHITECTURE.md gives the measurements).
 * The key set is fetched once per container and again only for an unknown `kid`.
 */
let keySet: { issuer: string; keys: JWTVerifyGetKey } | undefined;

function keysOf(issuer: string): JWTVerifyGetKey {
  if (keySet?.issuer !== issuer) keySet = { issuer, keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { timeoutDuration: 3_000 }) };
  return keySet.keys;
}

/** What the person's token says and what the directory says of its email, cached briefly per token. */
const profiles = new Map<string, { person: PersonPrincipal; until: number }>();
const profileCacheMs = 60_000;
const profileCacheEntries = 1_000;

/** A compact JWS (three base64url parts): a person's token, never one of our opaque API keys. */
export function looksLikeJwt(credential: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);
}

const unavailable = (cause: unknown) => problem('UNAVAILABLE', 'the user directory cannot be reached', { retryAfterSeconds: 1, cause });

function isTokenRejection(error: unknown): boolean {
  return (
    error instanceof errors.JWTExpired ||
    error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  );
}

/** Issuer, signature, expiry, `token_use: "access"` and the site's client id; the person's `sub`. */
async function verifiedSubject(token: string, pool: UserPoolConfig): Promise<string> {
  const issuer = userPoolIssuer(pool);
  try {
    const { payload } = await jwtVerify(token, keysOf(issuer), { issuer, algorithms: ['RS256'], requiredClaims: ['sub', 'exp'] });
    if (payload.token_use !== 'access') throw problem('UNAUTHENTICATED', 'the token is not an access token');
    if (payload.client_id !== pool.clientId) throw problem('UNAUTHENTICATED', "the token was not issued to the license site's client");
    if (typeof payload.sub !== 'string' || !payload.sub) throw problem('UNAUTHENTICATED', 'the token names no person');
    return payload.sub;
  } catch (error) {
    if (isTokenRejection(error)) throw problem('UNAUTHENTICATED', 'the access token is invalid or expired');
    if (error instanceof ProblemError) throw error;
    throw unavailable(error);
  }
}

/** The person's email and whether the directory verified it: not in the access token, so asked of the directory. */
async function profileOf(token: string, pool: UserPoolConfig, id: string): Promise<PersonPrincipal> {
  try {
    const { UserAttributes = [] } = await userDirectoryClient(pool).send(new GetUserCommand({ AccessToken: token }));
    const attribute = (name: string) => UserAttributes.find((candidate) => candidate.Name === name)?.Value;
    const email = attribute('email')?.toLowerCase();
    return { kind: 'person', id, ...(email ? { email } : {}), emailVerified: attribute('email_verified') === 'true' };
  } catch (error) {
    // Signed out, disabled or deleted since the token was issued: the directory refuses the token.
    if (error instanceof Error && (error.name === 'NotAuthorizedException' || error.name === 'UserNotFoundException')) {
      throw problem('UNAUTHENTICATED', 'the user directory no longer accepts this access token');
    }
    throw unavailable(error);
  }
}

/**
 * The one place a person's access token becomes a principal: the Lambda authorizer on AWS, the
 * local server, and the handlers that take a bearer credential themselves all call it.
 */
export async function authenticatePerson(token: string, now: Date = new Date()): Promise<PersonPrincipal> {
  const pool = userPool();
  if (!pool) throw problem('UNAUTHENTICATED', 'this service accepts no person tokens');
  const cacheKey = createHash('sha256').update(token).digest('base64url');
  const cached = profiles.get(cacheKey);
  const id = await verifiedSubject(token, pool);
  if (cached && cached.until > now.getTime() && cached.person.id === id) return cached.person;
  const person = await profileOf(token, pool, id);
  if (profiles.size >= profileCacheEntries) profiles.clear();
  profiles.set(cacheKey, { person, until: now.getTime() + profileCacheMs });
  return person;
}

/** Tests change the pool between files: forget keys and profiles. */
export function resetPersonTokens(): void {
  keySet = undefined;
  profiles.clear();
}
