import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Caller, InstallationPrincipal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { formatUserCode, normalizeUserCode, userCodeAlphabet, userCodeLength } from '@license-activation/contract/person-requests';
import type { DeviceAuthorizationInput } from '@license-activation/contract/person-requests';
import { problem } from '@license-activation/contract/problem';
import type { Activation, DeviceAuthorization, DeviceAuthorizationStarted, Installation } from '@license-activation/contract/schemas';
import { retry, retryOnContention } from '../data/contention.js';
import {
  denyDeviceAuthorization,
  getDeviceAuthorizationByDeviceCode,
  markCollected,
  putDeviceAuthorization,
  readUserCodeLookup,
  recordPoll,
} from '../data/device-authorizations.js';
import type { DeviceAuthorizationRecord } from '../data/device-authorizations.js';
import { readProofPlace, spendProofAside } from '../data/proofs.js';
import { newId } from '../ids.js';
import { activate } from './activate.js';
import { slotView, toActivation, toInstallationView } from './installation-view.js';
import { confirmAttemptAdmitted, countFailure, failureTimes, keyAttemptAllowed } from './key-failure-limit.js';
import { readInstallation, refreshInstallation } from './refresh-installation.js';
import type { InstallationDeps } from './refresh-installation.js';

/** API.md §7: codes live 10 minutes; installations poll every 5 seconds. */
export const deviceCodeLifetimeSeconds = 600;
export const pollIntervalSeconds = 5;

export interface SignInActivationDeps extends InstallationDeps {
  /** The license site, whose `/activate` page takes user codes. */
  readonly siteUrl: string;
}

const hashDeviceCode = (deviceCode: string) => createHash('sha256').update(deviceCode).digest('base64url');

function newUserCode(): string {
  return Array.from({ length: userCodeLength }, () => userCodeAlphabet[randomInt(userCodeAlphabet.length)]).join('');
}

const isExpired = (record: DeviceAuthorizationRecord, now: Date) => Date.parse(record.expiresAt) <= now.getTime();

export function toDeviceAuthorization(record: DeviceAuthorizationRecord, now: Date): DeviceAuthorization {
  return {
    userCode: formatUserCode(record.userCode),
    installationId: record.installationId,
    productId: record.productId,
    hostname: record.hostname,
    version: record.version,
    virtual: record.virtual,
    status: record.status === 'pending' && isExpired(record, now) ? 'expired' : record.status,
    expiresAt: record.expiresAt,
  };
}

/** `POST /v1/device-authorizations`: a user code for a person, a device code only this installation can collect with. */
export async function startDeviceAuthorization(
  deps: SignInActivationDeps,
  request: { installation: InstallationPrincipal; input: DeviceAuthorizationInput; now: Date },
): Promise<DeviceAuthorizationStarted> {
  const { installation, input, now } = request;
  const deviceCode = randomBytes(32).toString('base64url');
  const userCode = await retryOnContention(async () => {
    // The proof counts toward the installation's 20 a window like every other (API.md §2).
    const proofItems = spendProofAside(deps.table, { kind: 'dpop', installation }, await readProofPlace(deps.table, installation.id), now);
    const record: DeviceAuthorizationRecord = {
      userCode: newUserCode(),
      deviceCodeHash: hashDeviceCode(deviceCode),
      installationId: installation.id,
      ...input,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + deviceCodeLifetimeSeconds * 1000).toISOString(),
    };
    const outcome = await putDeviceAuthorization(deps.table, record, proofItems);
    // Otherwise: the installation's proofs changed meanwhile (the next attempt reads them again), or a
    // user code already in use (1 in 25 billion per live code): draw another.
    return outcome === 'created' ? record.userCode : retry;
  });
  const verificationUri = `${deps.siteUrl}/activate`;
  return {
    deviceCode,
    userCode: formatUserCode(userCode),
    verificationUri,
    verificationUriComplete: `${verificationUri}?code=${formatUserCode(userCode)}`,
    expiresIn: deviceCodeLifetimeSeconds,
    interval: pollIntervalSeconds,
  };
}

/**
 * The authorization a person's user code names. Unknown codes count toward the person's limit, the
 * same as failed key activations (API.md §6): one read of the code and the person's failures, and an
 * unknown code is counted before it is answered, so that at most 10 within 10 minutes are ever
 * answered 404, however many arrive at once; every other lookup is 429 until the oldest leaves the
 * window — a known code's too, checked against the counter before it is answered (one more round trip).
 */
async function authorizationForPerson(deps: SignInActivationDeps, caller: Caller, userCodeInput: string, now: Date): Promise<DeviceAuthorizationRecord> {
  const personId = caller.person?.id;
  if (!personId) throw problem('UNAUTHENTICATED', "this route needs a person's access token");
  const refusal = 'too many unknown user codes: wait before trying another';
  const { authorization, failures } = await readUserCodeLookup(deps.table, { personId, userCode: normalizeUserCode(userCodeInput) });
  const gate = keyAttemptAllowed(failureTimes(failures), now);
  if (!gate.allowed) throw problem('RATE_LIMITED', refusal, { retryAfterSeconds: gate.retryAfterSeconds });
  const counter = { kind: 'userCodeFailures', personId } as const;
  if (authorization) {
    // A known code is answered only while the counter admits a lookup, like an unknown one.
    await confirmAttemptAdmitted(deps.table, counter, { now, refusal });
    return authorization;
  }
  await countFailure(deps.table, counter, { slots: failures, now, refusal });
  throw problem('NOT_FOUND', 'no sign-in activation has this code: check it for typing mistakes');
}

export async function describeDeviceAuthorization(deps: SignInActivationDeps, request: { caller: Caller; userCode: string; now: Date }): Promise<DeviceAuthorization> {
  return toDeviceAuthorization(await authorizationForPerson(deps, request.caller, request.userCode, request.now), request.now);
}

function stillPending(record: DeviceAuthorizationRecord, now: Date): void {
  if (record.status !== 'pending' || isExpired(record, now)) throw problem('CONFLICT', `this code is ${toDeviceAuthorization(record, now).status}, not pending`);
}

/**
 * `POST /v1/device-authorizations/{userCode}/approve`: the person's account activates `licenseId` on
 * the waiting installation through `activate` itself — its checks in their order, its atomic slot,
 * its events — with the approval of the pending code as the transaction's proof, so a code is
 * approved once and only together with its activation. A refusal leaves the code pending.
 */
export async function approveDeviceAuthorization(
  deps: SignInActivationDeps,
  request: { caller: Caller; userCode: string; licenseId: string; now: Date },
): Promise<Activation> {
  const { caller, licenseId, now } = request;
  const record = await authorizationForPerson(deps, caller, request.userCode, now);
  stillPending(record, now);
  const { activation } = await activate(deps, {
    proof: { kind: 'device-authorization', installation: { id: record.installationId }, userCode: record.userCode, licenseId },
    account: caller.account,
    actor: actorOf(caller),
    input: { licenseId, productId: record.productId, fingerprint: record.fingerprint, hostname: record.hostname, version: record.version, virtual: record.virtual },
    lifetime: { kind: 'online' },
    now,
    alsoRecord: [
      {
        id: newId('evt', now),
        type: 'authorization.approved',
        createdAt: now.toISOString(),
        actor: actorOf(caller),
        installationId: record.installationId,
        licenseId,
        data: { userCode: formatUserCode(record.userCode), accountId: caller.account?.id },
      },
    ],
  });
  return activation;
}

export async function denyAuthorization(deps: SignInActivationDeps, request: { caller: Caller; userCode: string; now: Date }): Promise<DeviceAuthorization> {
  const { caller, now } = request;
  const record = await authorizationForPerson(deps, caller, request.userCode, now);
  stillPending(record, now);
  const outcome = await retryOnContention(async () => {
    const attempt = await denyDeviceAuthorization(deps.table, {
      userCode: record.userCode,
      now,
      event: { id: newId('evt', now), type: 'authorization.denied', createdAt: now.toISOString(), actor: actorOf(caller), data: { userCode: formatUserCode(record.userCode) } },
    });
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'not-pending') throw problem('CONFLICT', 'this code is no longer pending');
  return toDeviceAuthorization({ ...record, status: 'denied' }, now);
}

/**
 * `POST /v1/device-authorizations/token`: what the installation that asked collects. Only its own
 * key may poll its device code (anyone else: 404); RFC 8628's answers until a person decides.
 */
export async function collectDeviceAuthorization(
  deps: SignInActivationDeps,
  request: { installation: InstallationPrincipal; deviceCode: string; now: Date },
): Promise<{ created: boolean; token: string; installation: Installation; activation: Activation }> {
  const { installation: caller, now } = request;
  const record = await getDeviceAuthorizationByDeviceCode(deps.table, hashDeviceCode(request.deviceCode));
  if (!record || record.installationId !== caller.id) throw problem('NOT_FOUND', 'no sign-in activation has this device code');
  if (record.status === 'denied') throw problem('AUTHORIZATION_DENIED', 'the sign-in activation was denied');
  if (record.status === 'pending') {
    if (isExpired(record, now)) throw problem('AUTHORIZATION_EXPIRED', 'the code expired before anyone approved it: ask for a new one');
    const sinceLastPoll = record.lastPolledAt === undefined ? Infinity : now.getTime() - Date.parse(record.lastPolledAt);
    if (sinceLastPoll < pollIntervalSeconds * 1000 || !(await recordPoll(deps.table, { userCode: record.userCode, previous: record.lastPolledAt, now }))) {
      throw problem('SLOW_DOWN', `poll at most every ${pollIntervalSeconds} seconds`);
    }
    throw problem('AUTHORIZATION_PENDING', 'nobody has approved the code yet');
  }
  const known = await readInstallation(deps.table, caller.id);
  if (record.licenseId === undefined || !known.installation?.licenses[record.licenseId]) throw problem('NOT_FOUND', 'the approved activation was released since');
  // A fresh token, its exp recorded for slot accounting and the DPoP proof spent in one transaction.
  const { installation, token } = await refreshInstallation(deps, {
    installationId: caller.id,
    known,
    change: (current) => ({ ...current, lastSeenAt: now.toISOString() }),
    proof: { kind: 'dpop', installation: caller },
    lifetime: { kind: 'online' },
    now,
  });
  const held = installation.licenses[record.licenseId];
  if (!held) throw problem('NOT_FOUND', 'the approved activation was released since');
  const created = await markCollected(deps.table, { userCode: record.userCode, now });
  const view = slotView(deps.catalog, installation.productId, now);
  return { created, token, installation: toInstallationView(installation, view), activation: toActivation(installation, held, view) };
}
