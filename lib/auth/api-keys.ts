import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const prefix = 'lak_';

/** A new API key: 256 random bits. Returned once; only its hash is stored. */
export function generateApiKey(): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * The stored form of an API key. A plain SHA-256 suffices: the key has 256 bits of entropy,
 * so the hash cannot be reversed by guessing, and lookups by hash stay a single GetItem.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('base64url');
}

/**
 * The bearer token of an `Authorization` header, or undefined when absent or not a bearer. Up to
 * 8 KiB: a person's access token from Cognito runs to a few KiB (API keys are 47 characters).
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+([\x21-\x7e]{1,8192})[ ]*$/i.exec(authorization ?? '');
  return match?.[1];
}

export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
