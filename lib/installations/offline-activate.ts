import { proofIssuedAt, proofJti, verifySelfSignedJws } from '../auth/proof-of-possession.js';
import { activationRequestType } from '@license-activation/contract/jws-types';
import { OfflineRequestClaims } from '@license-activation/contract/installation-requests';
import { dpopMaxSkewSeconds, offlineRequestLifetimeSeconds } from '@license-activation/contract/proof-limits';
import { validate } from '../http/validation.js';
import { activate } from './activate.js';
import type { ActivationOutcome } from './activate.js';
import type { InstallationDeps } from './refresh-installation.js';

/**
 * `POST /v1/offline-activations`: a request file, signed by the installation's key on a machine
 * without network, becomes a license file: the same activation as online, answered with a token that
 * lasts a year (or to its license's end). A file is valid for 7 days, and once.
 */
export async function offlineActivate(deps: InstallationDeps, request: { file: string; now: Date }): Promise<ActivationOutcome> {
  const { now } = request;
  const { payload, thumbprint } = await verifySelfSignedJws(request.file, activationRequestType, now);
  const iat = proofIssuedAt(payload, now, offlineRequestLifetimeSeconds, dpopMaxSkewSeconds);
  const jti = proofJti(payload);
  const claims = validate(OfflineRequestClaims, payload, 'request file');
  const { key, productId, fingerprint, hostname, version, virtual } = claims;
  const activationInput = { key, productId, fingerprint, hostname, version, virtual };
  return activate(deps, {
    proof: { kind: 'offline-request', installation: { id: thumbprint, jti, iat } },
    input: activationInput,
    lifetime: { kind: 'offline' },
    now,
  });
}
