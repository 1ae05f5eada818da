import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { Catalog, Product } from '@license-activation/contract/catalog-schema';
import { productById } from '@license-activation/contract/product-queries';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { typedLicenseKey } from '@license-activation/contract/license-keys';
import { ActivationResult, DeviceAuthorizationStarted, InstallationResult, InstallationUsage, JwksResult, TokenResult, TrialResult } from '@license-activation/contract/schemas';
import type { InstallationUsageDay } from '@license-activation/contract/schemas';
import { ApiTransport, serviceUrl } from './api-transport.js';
import { lastDays, usageDaysShown } from './usage-sparkline.js';
import type { ApiRequest } from './api-transport.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { LicenseClientError } from './errors.js';
import { startHeartbeatLoop } from './heartbeat-loop.js';
import type { HeartbeatLoop, HeartbeatLoopOptions } from './heartbeat-loop.js';
import { fileKeyStore, installationIdOf } from './installation-key.js';
import type { InstallationKey, KeyStore } from './installation-key.js';
import { createActivationRequest, licenseFileToken } from './license-file.js';
import { evaluateLicenseStatus, isCapabilityAllowed } from './license-status.js';
import type { LicenseStatus } from './license-status.js';
import { detectVirtualization, machineFingerprint, systemProbes } from './machine-facts.js';
import type { FingerprintSource, MachineProbes } from './machine-facts.js';
import { StateStore } from './state-store.js';
import { chainPresented, mayPresentAt, newHeartbeat, newRestore, pendingAfter, presentationToSend, replacesHeld } from './chain-keeping.js';
import type { PendingPresentation } from './chain-keeping.js';
import type { ClientState } from './state-store.js';
import { TrustedKeys } from './trusted-keys.js';
import type { KeySetDocument } from './trusted-keys.js';
import { verifyLicenseToken } from './verify-license-token.js';
import type { TokenVerification } from './verify-license-token.js';

export interface LicenseClientOptions {
  /** The product this installation runs: every token's audience. */
  readonly productId: string;
  /** The version of the product, reported to the service (it may warn about old versions). */
  readonly productVersion: string;
  /** Where the installation keeps its key (unless `keyStore` is given) and its state. */
  readonly stateDir: string;
  /**
   * The public keys that verify license tokens, built into the product by the vendor: the trust root.
   * Nothing fetched at run time can replace them.
   */
  readonly pinnedKeys: KeySetDocument;
  /** The licensing service, e.g. `https://licensing.example.com`; needed by the online calls only. */
  readonly serverUrl?: string;
  /**
   * Also trust keys the service publishes at `/.well-known/jwks.json` under a `kid` no pinned key has
   * (a key rotation the product was not rebuilt for). Off by default: such keys are only as trustworthy as
   * TLS on a machine whose owner is the one being licensed. They are kept in memory, never on disk.
   */
  readonly fetchServerKeys?: boolean;
  /** The tokens' `iss`; `license-activation` unless the service is configured otherwise. */
  readonly issuer?: string;
  readonly keyStore?: KeyStore;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly machineProbes?: MachineProbes;
  /** The catalog the service sells from, for what limited mode leaves when the client limits on its own. */
  readonly catalog?: Catalog;
  /** How far the clock may go back behind the latest time seen before it counts as tampered (default 300 s). */
  readonly clockToleranceSeconds?: number;
  /** How long an online call may take (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** How the client waits between two of its requests, when it must (timers by default; tests inject one). */
  readonly delay?: (ms: number) => Promise<void>;
}

/** What the installation reports about its machine. */
export interface MachineFacts {
  readonly fingerprint: string;
  readonly fingerprintSource: FingerprintSource;
  readonly hostname: string;
  readonly virtual: boolean;
  /** What each virtualization probe found. */
  readonly virtualEvidence: string[];
}

/** The account an activation on a customer's behalf is made with (a customer's or reseller's API key). */
export interface ActingAccount {
  readonly apiKey: string;
}

export type TrialAnswer = z.infer<typeof TrialResult>;
export type ActivationAnswer = z.infer<typeof ActivationResult>;
export type TokenAnswer = z.infer<typeof TokenResult>;
export type InstallationAnswer = z.infer<typeof InstallationResult>;

const defaultIssuer = 'license-activation';
const defaultClockToleranceSeconds = 300;
const defaultRequestTimeoutMs = 30_000;
/**
 * Refusals that settle a heartbeat: sending it again would change nothing (a bad body, an installation the
 * service does not know, its key reused), so the next heartbeat is a new one.
 */
const settlingStatuses = new Set([400, 403, 404, 409, 422]);
/** The latest time seen is written at most this often: far finer than the clock tolerance. */
const timeRecordingIntervalMs = 60_000;
/** `DELETE` routes answer 204 without a body. */
const noContent = z.undefined();

/** Runs `load` once, on first use; a failure is not kept, so the next call tries again. */
function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * The licensing client a vendor embeds in its on-prem product: the installation's identity (a P-256 key
 * whose thumbprint is the installation id), the online calls (trial, activation, heartbeat, release,
 * restore, each with a DPoP proof), offline activation by request and license files, and the offline
 * judgement of what the installation may do now, from a token verified with pinned keys.
 *
 * @example
 * ```ts
 * const client = new LicenseClient({
 *   productId: 'vault', productVersion: '5.2.0', stateDir: '/var/lib/vault/license',
 *   serverUrl: 'https://licensing.example.com', pinnedKeys: vendorJwks,
 * });
 * await client.activate('ABCDE-FGHJK-MNPQR-STVWX-YZ012');
 * if (await client.can('ad-sync')) startAdSync();
 * ```
 */
/** What a sign-in activation shows the person: the user code, where to enter it, and for how long. */
export type SignInCode = Omit<z.infer<typeof DeviceAuthorizationStarted>, 'deviceCode'>;

export class LicenseClient {
  private readonly product: Product;
  private readonly issuer: string;
  private readonly clock: Clock;
  private readonly store: StateStore;
  private readonly trustedKeys: TrustedKeys;
  private readonly transport: ApiTransport | undefined;
  private readonly identity: () => Promise<{ readonly key: InstallationKey; readonly installationId: string }>;
  private readonly facts: () => Promise<MachineFacts>;
  private readonly delay: (ms: number) => Promise<void>;
  private presentations: Promise<unknown> = Promise.resolve();
  private recordedTimeSeen: number | undefined;

  constructor(private readonly options: LicenseClientOptions) {
    const product = productById(options.catalog ?? referenceCatalog, options.productId);
    if (!product) throw new TypeError(`the catalog has no product ${options.productId}`);
    this.product = product;
    this.issuer = options.issuer ?? defaultIssuer;
    this.clock = options.clock ?? systemClock;
    this.store = new StateStore(options.stateDir);
    this.trustedKeys = TrustedKeys.pin(options.pinnedKeys);
    this.transport =
      options.serverUrl === undefined
        ? undefined
        : new ApiTransport({
            serverUrl: serviceUrl(options.serverUrl),
            fetch: options.fetch ?? fetch,
            clock: this.clock,
            timeoutMs: options.requestTimeoutMs ?? defaultRequestTimeoutMs,
          });
    const keyStore = options.keyStore ?? fileKeyStore(options.stateDir);
    this.identity = lazily(async () => {
      const key = await keyStore.loadOrCreate();
      return { key, installationId: await installationIdOf(key.publicJwk) };
    });
    this.facts = lazily(() => this.collectMachineFacts(options.machineProbes ?? systemProbes));
    this.delay = options.delay ?? ((ms) => sleep(ms));
  }

  /** The installation id (its key's RFC 7638 thumbprint); the key is created on first use. */
  async installationId(): Promise<string> {
    return (await this.identity()).installationId;
  }

  /** What the installation reports about its machine: fingerprint, hostname, virtualization. */
  machineFacts(): Promise<MachineFacts> {
    return this.facts();
  }

  /** Starts the product's trial, or answers the trial this installation already had; stores its token. */
  async trial(): Promise<TrialAnswer> {
    const answer = await this.send({ route: 'startTrial', body: { productId: this.product.id, ...(await this.machineReport()) } }, TrialResult);
    await this.storeToken(answer.token, 'service');
    return answer;
  }

  /**
   * Activates a license key on this installation (a repeat is harmless); stores the new token. The key may
   * be typed as people type it: any case, spaces or dashes anywhere, `O` for `0`, `I` or `L` for `1`.
   */
  async activate(key: string): Promise<ActivationAnswer> {
    return this.activateWith({ key: typedLicenseKey(key) }, undefined);
  }

  /**
   * Activates a license by id on this installation on behalf of an account (a customer activating its
   * own license, or a reseller one of its customer's), without the key; stores the new token.
   */
  async activateFor(account: ActingAccount, licenseId: string, customerId?: string): Promise<ActivationAnswer> {
    return this.activateWith({ licenseId, ...(customerId === undefined ? {} : { customerId }) }, account.apiKey);
  }

  /**
   * Activates through a person who signs in to the license site (API.md §7): asks for a user code,
   * hands it to `onCode` (show `userCode` and `verificationUri`, or a QR code of
   * `verificationUriComplete`), then polls every `interval` seconds (5 more after each `SLOW_DOWN`)
   * until the person approves — the token is stored — or denies (`AUTHORIZATION_DENIED`), or the code
   * expires (`AUTHORIZATION_EXPIRED`). Aborting `signal` stops the polling (an `AbortError`).
   */
  async activateBySignIn(options: { onCode(code: SignInCode): void | Promise<void>; signal?: AbortSignal }): Promise<ActivationAnswer> {
    const started = await this.send({ route: 'startDeviceAuthorization', body: { productId: this.product.id, ...(await this.machineReport()) } }, DeviceAuthorizationStarted);
    // The device code stays with the installation: only it may collect with it.
    const { deviceCode, ...code } = started;
    await options.onCode(code);
    let intervalMs = started.interval * 1000;
    for (;;) {
      await sleep(intervalMs, undefined, { signal: options.signal });
      try {
        const answer = await this.send({ route: 'deviceToken', body: { deviceCode } }, ActivationResult);
        await this.storeToken(answer.token, 'service');
        return answer;
      } catch (error) {
        if (!(error instanceof LicenseClientError) || (error.code !== 'AUTHORIZATION_PENDING' && error.code !== 'SLOW_DOWN')) throw error;
        // RFC 8628 §3.5: after slow_down, poll 5 seconds less often from then on.
        if (error.code === 'SLOW_DOWN') intervalMs += 5000;
      }
    }
  }

  /**
   * Reports usage and stores the fresh token: call it when the token's `refreshAfter` comes (or use
   * {@link startHeartbeats}). The heartbeat presents the chain of the token held (API.md §10) and is saved,
   * with its `Idempotency-Key`, before it is sent: until it is answered, every call (after a restart too)
   * sends that same heartbeat again, its usage as first reported, whatever tokens arrive meanwhile, so that
   * a lost answer is never taken for a second copy of this installation (chain-keeping.ts). A restore still
   * waiting for its answer is sent first.
   */
  heartbeat(usage: { readonly activeUsers: number }): Promise<TokenAnswer> {
    const report = { version: this.options.productVersion, activeUsers: usage.activeUsers };
    return this.oneAtATime(async () => {
      for (;;) {
        const presentation = await this.savePresentation((held) => newHeartbeat(held, report, randomUUID()));
        const answer = await this.sendPresentation(presentation);
        if (presentation.kind === 'heartbeat') return { token: answer.token };
      }
    });
  }

  /**
   * Releases a license's activation on this installation, freeing its slot for another machine, then
   * fetches a fresh token, so this installation stops using the license at once.
   */
  async release(licenseId: string): Promise<InstallationAnswer> {
    const { installationId } = await this.identity();
    await this.send({ route: 'releaseActivation', params: { installationId, licenseId } }, noContent);
    return this.restore();
  }

  /**
   * Fetches everything the service knows about this installation, with a fresh token, which it stores.
   * It presents the chain of the token held (`?chain=`), saved before it is sent and sent again unchanged
   * until answered, like a heartbeat; a heartbeat still waiting for its answer is sent first (chain-keeping.ts).
   */
  restore(): Promise<InstallationAnswer> {
    return this.oneAtATime(async () => {
      for (;;) {
        const presentation = await this.savePresentation((held) => newRestore(held, randomUUID()));
        const answer = await this.sendPresentation(presentation);
        if (presentation.kind === 'restore' && 'installation' in answer) return answer;
      }
    });
  }

  /**
   * This installation's daily usage history as the service keeps it (API.md §11): its last `days` days,
   * today (UTC) included, oldest first. Online; it spends one of the installation's 20 proofs a window.
   */
  async usageHistory(days = usageDaysShown): Promise<InstallationUsageDay[]> {
    const { installationId } = await this.identity();
    return (await this.send({ route: 'getInstallationUsage', params: { installationId }, query: lastDays(this.clock(), days) }, InstallationUsage)).items;
  }

  /** Runs `present` after the presentations this client already started: one on its way at a time (chain-keeping.ts, rule 3). */
  private oneAtATime<T>(present: () => Promise<T>): Promise<T> {
    const next = this.presentations.then(present, present);
    this.presentations = next.catch(() => undefined);
    return next;
  }

  /** The presentation to send now, saved before it is: the one still waiting for its answer, else `next` of the chain held. */
  private async savePresentation(next: (heldChain: string | undefined) => PendingPresentation): Promise<PendingPresentation> {
    const { installationId } = await this.identity();
    const state = await this.store.update(async (current) => {
      const held = await this.chainOf(current, installationId);
      return { ...current, pending: presentationToSend(current.pending, () => next(held)) };
    });
    if (!state.pending) throw new TypeError('the presentation was not saved');
    return state.pending;
  }

  /** Sends a saved presentation; its answer settles it, and so does a refusal that no retry would change. */
  private async sendPresentation(presentation: PendingPresentation): Promise<TokenAnswer | InstallationAnswer> {
    const { installationId } = await this.identity();
    const chain = chainPresented(presentation);
    await this.presenting(chain);
    try {
      const answer =
        presentation.kind === 'heartbeat'
          ? await this.send({ route: 'heartbeat', params: { installationId }, headers: { 'Idempotency-Key': presentation.key }, body: presentation.body }, TokenResult)
          : await this.send({ route: 'getInstallation', params: { installationId }, ...(chain === undefined ? {} : { query: { chain } }) }, InstallationResult);
      await this.storeToken(answer.token, 'service', presentation.key);
      return answer;
    } catch (error) {
      if (error instanceof LicenseClientError && error.status !== undefined && settlingStatuses.has(error.status)) {
        await this.store.update((state) => ({ ...state, pending: pendingAfter(state.pending, presentation.key) }));
      }
      throw error;
    }
  }

  /**
   * An offline request file for a license key, to carry to a machine with network and send to
   * `POST /v1/offline-activations` (valid 7 days, once). The answer is the license file for {@link importLicenseFile}.
   */
  async createRequestFile(key: string): Promise<string> {
    const { key: installationKey } = await this.identity();
    return createActivationRequest(installationKey, { key: typedLicenseKey(key), productId: this.product.id, ...(await this.machineReport()) }, this.clock());
  }

  /**
   * Verifies a license file (the token, or the service's `{"token": …}` answer) and stores it like an
   * online token. Refused (`TOKEN_REJECTED`, nothing stored) when it fails verification, has expired, or is
   * older than the token already stored, so an old license file cannot undo a later suspension.
   */
  async importLicenseFile(contents: string): Promise<LicenseTokenClaims> {
    return this.storeToken(licenseFileToken(contents), 'license file');
  }

  /** What the installation may do now, judged offline from the stored token and the clock. */
  async status(): Promise<LicenseStatus> {
    const now = this.clock();
    const { installationId } = await this.identity();
    const state = await this.store.read();
    const status = evaluateLicenseStatus({
      installationId,
      product: this.product,
      productVersion: this.options.productVersion,
      token: state.token === undefined ? undefined : await this.verify(state.token, installationId),
      now,
      highestTimeSeen: state.highestTimeSeen,
      clockToleranceSeconds: this.options.clockToleranceSeconds ?? defaultClockToleranceSeconds,
    });
    await this.recordTimeSeen(now.getTime());
    return status;
  }

  /** Whether a capability may be used now (see {@link isCapabilityAllowed}). */
  async can(capability: string): Promise<boolean> {
    return isCapabilityAllowed(await this.status(), capability);
  }

  /** Heartbeats in the background whenever the token asks for it; see {@link startHeartbeatLoop}. */
  startHeartbeats(options: HeartbeatLoopOptions): HeartbeatLoop {
    const target = {
      refreshDue: async () => {
        const { installationId } = await this.identity();
        const { token } = await this.store.read();
        const verification = token === undefined ? undefined : await this.verify(token, installationId);
        if (!verification?.valid) return undefined;
        const { iat, refreshAfter } = verification.claims;
        return { at: new Date(refreshAfter * 1000), intervalMs: (refreshAfter - iat) * 1000 };
      },
      heartbeat: (usage: { readonly activeUsers: number }) => this.heartbeat(usage),
    };
    return startHeartbeatLoop(target, options, this.clock);
  }

  /** With `fetchServerKeys`, adds the service's published keys to the pinned ones; returns the kids added. */
  async refreshServerKeys(): Promise<string[]> {
    if (!this.options.fetchServerKeys) return [];
    const jwks = await this.online().send({ route: 'jwks' }, JwksResult);
    return this.trustedKeys.add(jwks.keys);
  }

  private async activateWith(license: { key: string } | { licenseId: string; customerId?: string }, apiKey: string | undefined): Promise<ActivationAnswer> {
    const body = { ...license, productId: this.product.id, ...(await this.machineReport()) };
    const answer = await this.send({ route: 'activate', body, ...(apiKey === undefined ? {} : { apiKey }) }, ActivationResult);
    await this.storeToken(answer.token, 'service');
    return answer;
  }

  private online(): ApiTransport {
    if (!this.transport) throw new TypeError('this client has no serverUrl: online calls are not available');
    return this.transport;
  }

  /** Sends a request as this installation: with a DPoP proof signed by its key. */
  private async send<Answer extends z.ZodType>(request: Omit<ApiRequest, 'proofKey'>, answer: Answer): Promise<z.infer<Answer>> {
    const transport = this.online();
    return transport.send({ ...request, proofKey: (await this.identity()).key }, answer);
  }

  private async machineReport(): Promise<{ fingerprint: string; hostname: string; version: string; virtual: boolean }> {
    const { fingerprint, hostname, virtual } = await this.facts();
    return { fingerprint, hostname, version: this.options.productVersion, virtual };
  }

  private async collectMachineFacts(probes: MachineProbes): Promise<MachineFacts> {
    const [{ fingerprint, source }, { virtual, evidence }] = await Promise.all([
      machineFingerprint(this.product.id, probes, () => this.fallbackMachineId()),
      detectVirtualization(probes),
    ]);
    return { fingerprint, fingerprintSource: source, hostname: probes.hostname(), virtual, virtualEvidence: evidence };
  }

  private async fallbackMachineId(): Promise<string> {
    const candidate = randomUUID();
    const state = await this.store.update((current) => (current.fallbackMachineId ? current : { ...current, fallbackMachineId: candidate }));
    return state.fallbackMachineId ?? candidate;
  }

  private verify(token: string, installationId: string): Promise<TokenVerification> {
    return verifyLicenseToken(token, this.trustedKeys, { issuer: this.issuer, productId: this.product.id, installationId });
  }

  /**
   * Records that `chain` is about to be presented, once it may be: a newer chain than the one presented
   * last waits until every request that presented that one has been judged (chain-keeping.ts, rule 4).
   */
  private async presenting(chain: string | undefined): Promise<void> {
    const nowMs = this.clock().getTime();
    const { lastPresentation } = await this.store.update((state) => ({
      ...state,
      lastPresentation: { ...(chain === undefined ? {} : { chain }), sentAt: Math.max(nowMs, mayPresentAt(state.lastPresentation, chain)) },
    }));
    const waitMs = (lastPresentation?.sentAt ?? nowMs) - nowMs;
    if (waitMs > 0) await this.delay(waitMs);
  }

  /** The chain of the token held, when it verifies (API.md §10). */
  private async chainOf(state: ClientState, installationId: string): Promise<string | undefined> {
    const held = state.token === undefined ? undefined : await this.verify(state.token, installationId);
    return held?.valid ? held.claims.chain : undefined;
  }

  /**
   * Verifies a token and stores it, or refuses it and stores nothing. Any online answer proves the clock
   * is within minutes of the service's (its DPoP proof was accepted), so a token from the service also
   * resets the latest time seen to now: a clock once set far ahead and then corrected recovers that way.
   * The token with the newest `iat` is kept, in the same write that settles the presentation it answers
   * (`answered`, its key; chain-keeping.ts). A service's answer older than the token held (two answers
   * crossing) is not kept; a license file older than it is refused.
   */
  private async storeToken(token: string, origin: 'service' | 'license file', answered?: string): Promise<LicenseTokenClaims> {
    const { installationId } = await this.identity();
    let verification = await this.verify(token, installationId);
    if (!verification.valid && verification.problem === 'UNKNOWN_KEY' && this.options.fetchServerKeys && this.transport) {
      await this.refreshServerKeys();
      verification = await this.verify(token, installationId);
    }
    if (!verification.valid) throw new LicenseClientError('TOKEN_REJECTED', `the ${origin}'s token was refused: ${verification.detail}`);
    const { claims } = verification;
    const nowMs = this.clock().getTime();
    if (claims.exp * 1000 <= nowMs) throw new LicenseClientError('TOKEN_REJECTED', `the ${origin}'s token expired at ${new Date(claims.exp * 1000).toISOString()}`);

    let kept = claims;
    const stored = await this.store.update(async (state): Promise<ClientState> => {
      const current = state.token === undefined ? undefined : await this.verify(state.token, installationId);
      const replaces = !current?.valid || replacesHeld(claims, current.claims);
      if (!replaces && origin === 'license file') {
        throw new LicenseClientError('TOKEN_REJECTED', `the ${origin}'s token is older than the one this installation already has`);
      }
      if (!replaces && current?.valid) kept = current.claims;
      const timeSeen = Math.max(nowMs, claims.iat * 1000);
      const highestTimeSeen = origin === 'service' ? timeSeen : Math.max(state.highestTimeSeen ?? timeSeen, timeSeen);
      return { ...state, installationId, token: replaces ? token : state.token, highestTimeSeen, pending: pendingAfter(state.pending, answered) };
    });
    this.recordedTimeSeen = stored.highestTimeSeen;
    return kept;
  }

  private async recordTimeSeen(nowMs: number): Promise<void> {
    if (this.recordedTimeSeen !== undefined && nowMs < this.recordedTimeSeen + timeRecordingIntervalMs) return;
    const { installationId } = await this.identity();
    const state = await this.store.update((current) => ({ ...current, installationId, highestTimeSeen: Math.max(current.highestTimeSeen ?? nowMs, nowMs) }));
    this.recordedTimeSeen = state.highestTimeSeen;
  }
}
