import type { Clock } from './clock.js';
import { LicenseClientError } from './errors.js';

/** Timers, injected so tests can run the loop step by step. */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Real timers that do not keep the process alive on their own account.
 *
 * @example
 * ```ts
 * startHeartbeatLoop(target, { activeUsers: () => 0, scheduler: systemScheduler }, systemClock);
 * ```
 */
export const systemScheduler: Scheduler = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** When the stored token asks for its next heartbeat: its `refreshAfter`, and its refresh interval (`refreshAfter - iat`). */
export interface RefreshDue {
  readonly at: Date;
  readonly intervalMs: number;
}

/** What the loop drives: the client's heartbeat and the stored token's `refreshAfter`. */
export interface HeartbeatTarget {
  /** When the next heartbeat is due; undefined when no valid token says (then: now). */
  refreshDue(): Promise<RefreshDue | undefined>;
  heartbeat(usage: { readonly activeUsers: number }): Promise<unknown>;
}

/** When a failed heartbeat will be tried again. */
export interface RetryPlan {
  /** Failures in a row, this one included. */
  readonly attempt: number;
  readonly delayMs: number;
}

export interface BackoffOptions {
  /** The first retry's ceiling (default 30 s); each failure in a row doubles it. */
  readonly initialDelayMs?: number;
  /** The largest ceiling (default 1 hour). */
  readonly maxDelayMs?: number;
}

export interface HeartbeatLoopOptions {
  /** The number of active users right now, reported with each heartbeat. */
  readonly activeUsers: () => number | Promise<number>;
  /** Called after each successful heartbeat. */
  readonly onHeartbeat?: () => void;
  /** Called with every failure, and when it will be retried. The loop itself never throws. */
  readonly onError?: (error: unknown, retry: RetryPlan) => void;
  readonly backoff?: BackoffOptions;
  readonly scheduler?: Scheduler;
  /** A number in [0, 1) for the jitter; `Math.random` unless a test fixes it. */
  readonly random?: () => number;
}

/** A running heartbeat loop. */
export interface HeartbeatLoop {
  /** Stops the loop; resolves once a heartbeat in flight has finished. */
  stop(): Promise<void>;
}

const defaultInitialDelayMs = 30_000;
const defaultMaxDelayMs = 60 * 60 * 1000;
/** However early a token asks for its refresh, successful heartbeats are at least this far apart. */
export const minHeartbeatIntervalMs = 60_000;
/**
 * The longest the loop waits, whatever a token or `Retry-After` says: the service's own refresh interval.
 * It also keeps clear of `setTimeout`'s limit (about 24.8 days), beyond which timers fire at once;
 * a license file asks for its refresh only when it expires, up to a year away.
 */
export const maxHeartbeatIntervalMs = 24 * 60 * 60 * 1000;
/** The most the jitter adds: a tenth of the longest interval. */
export const maxHeartbeatJitterMs = maxHeartbeatIntervalMs / 10;

/**
 * How long to wait for the next heartbeat: until the token asks for it (at least `minimumMs`, at most a
 * day), plus a random delay of up to a tenth of its refresh interval (itself at most a day). The jitter
 * keeps two copies of one installation from heartbeating within 30 s of each other time after time (the
 * service tells them apart by their chains, API.md §10), and a fleet from phoning home all at once
 * after an outage. Without a valid token: `minimumMs`.
 *
 * @example
 * ```ts
 * heartbeatDelayMs({ at: new Date(Date.now() + 3_600_000), intervalMs: 86_400_000 }, Date.now(), 60_000, Math.random); // 1 h to 3.4 h
 * ```
 */
export function heartbeatDelayMs(due: RefreshDue | undefined, nowMs: number, minimumMs: number, random: () => number): number {
  if (due === undefined) return minimumMs;
  const untilDue = Math.min(maxHeartbeatIntervalMs, Math.max(minimumMs, due.at.getTime() - nowMs));
  return untilDue + random() * (Math.min(Math.max(0, due.intervalMs), maxHeartbeatIntervalMs) / 10);
}

/**
 * How long to wait before retrying a failed heartbeat. The service's `Retry-After` (429, 503) is obeyed
 * (up to a day); otherwise exponential backoff with "equal jitter": half the ceiling plus a random share of the
 * other half, so a fleet of installations that failed together does not retry together, yet never at once.
 *
 * @example
 * ```ts
 * backoffDelayMs(new LicenseNetworkError('offline', undefined), 3, {}, Math.random); // 60–120 s
 * ```
 */
export function backoffDelayMs(error: unknown, attempt: number, options: BackoffOptions, random: () => number): number {
  if (error instanceof LicenseClientError && error.retryAfterSeconds !== undefined) return Math.min(error.retryAfterSeconds * 1000, maxHeartbeatIntervalMs);
  const initial = options.initialDelayMs ?? defaultInitialDelayMs;
  const ceiling = Math.min(options.maxDelayMs ?? defaultMaxDelayMs, initial * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Heartbeats whenever the stored token asks for it (`refreshAfter`, at least daily) plus a random delay
 * of up to a tenth of its refresh interval ({@link heartbeatDelayMs}), retrying failures with backoff.
 * Never throws into the host process: every failure, a throwing callback included, goes to `onError`.
 *
 * @example
 * ```ts
 * const loop = startHeartbeatLoop(client, { activeUsers: () => sessions.count(), onError: (error) => log.warn(error) }, systemClock);
 * process.on('SIGTERM', () => void loop.stop());
 * ```
 */
export function startHeartbeatLoop(target: HeartbeatTarget, options: HeartbeatLoopOptions, clock: Clock): HeartbeatLoop {
  const scheduler = options.scheduler ?? systemScheduler;
  const random = options.random ?? Math.random;
  let stopped = false;
  let failures = 0;
  let timer: unknown;
  let inFlight: Promise<void> = Promise.resolve();

  // The host's callbacks must neither break the loop nor throw into the host.
  const safely = (callback: () => void): void => {
    try {
      callback();
    } catch {
      // Nowhere left to report it.
    }
  };

  const untilDue = async (minimumMs: number): Promise<number> => heartbeatDelayMs(await target.refreshDue(), clock().getTime(), minimumMs, random);

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = scheduler.setTimeout(() => {
      inFlight = step({ heartbeat: true });
    }, Math.min(delayMs, maxHeartbeatIntervalMs + maxHeartbeatJitterMs));
  };

  // One turn of the loop: heartbeat (except on start), then wait for the next refresh, or back off.
  async function step({ heartbeat }: { heartbeat: boolean }): Promise<void> {
    let nextDelayMs: number;
    try {
      if (heartbeat) {
        await target.heartbeat({ activeUsers: await options.activeUsers() });
        failures = 0;
        safely(() => options.onHeartbeat?.());
      }
      nextDelayMs = await untilDue(heartbeat ? minHeartbeatIntervalMs : 0);
    } catch (error) {
      failures += 1;
      nextDelayMs = backoffDelayMs(error, failures, options.backoff ?? {}, random);
      const retry = { attempt: failures, delayMs: nextDelayMs };
      safely(() => options.onError?.(error, retry));
    }
    schedule(nextDelayMs);
  }

  inFlight = step({ heartbeat: false });

  return {
    async stop() {
      stopped = true;
      scheduler.clearTimeout(timer);
      await inFlight;
    },
  };
}
