import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { call } from './api.js';

/** Verifies a license token as any client would: with the JWKS alone, ES256, the right audience and type. */
export async function verifyLicenseToken(token: string, productId: string): Promise<LicenseTokenClaims> {
  const jwks = await call<JSONWebKeySet>('jwks');
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
    algorithms: ['ES256'],
    issuer: 'license-activation',
    audience: productId,
    typ: 'license+jwt',
  });
  return LicenseTokenClaims.parse(payload);
}
