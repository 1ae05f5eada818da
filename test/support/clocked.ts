import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LicenseTokenClaims } from '@license-activation/contract/license-token';
import type { ActivationInput } from '@license-activation/contract/schemas';
import { activationsOfLicense } from '#lib/data/activations.js';
import type { ActivationRecord } from '#lib/data/activations.js';
import { activate } from '#lib/installations/activate.js';
import type { ActivationOutcome } from '#lib/installations/activate.js';
import { heartbeat } from '#lib/installations/heartbeat.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import type { InstallationDeps } from '#lib/installations/refresh-installation.js';
import { releaseActivation } from '#lib/installations/release-activation.js';
import { decide, granted, refusal } from '#lib/auth/access.js';
import { loadResource } from '#lib/auth/access-facts.js';
import type { AccountPrincipal, Caller } from '#lib/auth/principal.js';
import type { InstallationRecord } from '#lib/data/installations.js';
import { getInstallationState, restoreForOwner } from '#lib/installations/restore-installation.js';
import type { RouteId } from '@license-activation/contract/routes';
import { ProblemError } from '@license-activation/contract/problem';
import type { ProofUse } from '#lib/data/proofs.js';
import { table } from '#lib/platform/dynamodb.js';
import { getInstallation } from '#lib/data/installations.js';

/**
 * The installation domain driven at an injected instant: the same functions the handlers call, with
 * `now` chosen by the test (the handlers pass the server's clock). DPoP proofs are verified by the
 * handler, so here a proof is just its use: a fresh `jti` per request.
 */

export const dayMs = 24 * 60 * 60 * 1000;

export const at = (start: Date, offsetMs: number) => new Date(start.getTime() + offsetMs);

const proofAt = (installationId: string, now: Date, kind: 'dpop' | 'offline-request' = 'dpop'): ProofUse => ({
  kind,
  installation: { id: installationId, jti: randomUUID(), iat: Math.floor(now.getTime() / 1000) },
});

/** A fresh installation id (a thumbprint's shape is not needed below the handler). */
export const installationId = () => randomUUID().replaceAll('-', '');

export const modelerMachine = { productId: 'modeler', fingerprint: 'fp', hostname: 'srv.example', version: '5.0.0', virtual: false } as const;

/** The answer of a domain call: its value, or the problem's code. */
export async function outcome<T>(run: () => Promise<T>): Promise<T | { code: string }> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ProblemError) return { code: error.code };
    throw error;
  }
}

export function activateAt(
  now: Date,
  id: string,
  input: Omit<ActivationInput, 'fingerprint' | 'hostname' | 'version' | 'virtual' | 'productId'> & Partial<ActivationInput>,
  options: { deps?: InstallationDeps; offline?: boolean } = {},
): Promise<ActivationOutcome> {
  return activate(options.deps ?? installationDeps(), {
    proof: proofAt(id, now, options.offline ? 'offline-request' : 'dpop'),
    input: { ...modelerMachine, fingerprint: `fp-${id}`, ...input } as ActivationInput,
    lifetime: { kind: options.offline ? 'offline' : 'online' },
    now,
  });
}

/**
 * A heartbeat as a well-behaved client sends it: presenting the chain of the newest token (the head the
 * installation holds) with a new `Idempotency-Key`, unless `presenting` says what to present instead.
 */
export async function heartbeatAt(
  now: Date,
  id: string,
  deps: InstallationDeps = installationDeps(),
  presenting?: { readonly chain?: string; readonly idempotencyKey?: string; readonly activeUsers?: number },
) {
  const chain = presenting ? presenting.chain : (await getInstallation(table(), id))?.chain?.head;
  const input = { version: '5.0.0', usage: { activeUsers: presenting?.activeUsers ?? 1 }, ...(chain === undefined ? {} : { chain }) };
  const idempotencyKey = presenting ? presenting.idempotencyKey : randomUUID();
  return heartbeat(deps, { proof: proofAt(id, now), input, ...(idempotencyKey === undefined ? {} : { idempotencyKey }), now });
}

/** The installation as a route's access decision hands it to `caller` (lib/auth/access.ts), as the handler would. */
async function grantedInstallation(caller: Caller, id: string, route: RouteId): Promise<InstallationRecord> {
  const resource = await loadResource(table(), caller, { kind: 'installation', id });
  const decision = decide(caller, route, resource);
  if (decision.outcome !== 'allow') throw refusal(decision);
  return granted(resource) as InstallationRecord;
}

export async function releaseAt(now: Date, id: string, licenseId: string, account: AccountPrincipal) {
  const caller = { account };
  return releaseActivation({ table: table() }, { caller, installation: await grantedInstallation(caller, id, 'releaseActivation'), licenseId, now });
}

/** Its owner's look at an installation (`GET /v1/installations/{id}` with the owner's key). */
export async function lookAt(now: Date, id: string, account: AccountPrincipal) {
  const caller = { account };
  return getInstallationState(installationDeps(), { caller, installation: await grantedInstallation(caller, id, 'getInstallation'), now });
}

/** Its owner's restore of a server rebuilt from nothing (`POST /v1/installations/{id}/restore`). */
export async function restoreAt(now: Date, id: string, account: AccountPrincipal) {
  const caller = { account };
  return restoreForOwner(installationDeps(), { caller, installation: await grantedInstallation(caller, id, 'restoreInstallation'), now });
}

export const claimsOf = (token: string): LicenseTokenClaims => LicenseTokenClaims.parse(decodeJwt(token));

export const activationsOf = (licenseId: string): Promise<ActivationRecord[]> => activationsOfLicense(table(), licenseId);
