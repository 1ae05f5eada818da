import { randomUUID } from 'node:crypto';
import type { FailureWrite, KeyFailures } from '../data/key-failures.js';

/** ../shared/API.md §6: after this many failed key activations within the window, key activations are refused. */
export const maxKeyFailures = 10;
export const keyFailureWindowMs = 10 * 60 * 1000;

/**
 * The failures (epoch ms) still inside the window at `now`, those dated after it included: a concurrent
 * request that started later may have recorded its failure before this one read them.
 */
export function recentFailures(failures: readonly number[], now: Date): number[] {
  return failures.filter((at) => at > now.getTime() - keyFailureWindowMs);
}

/**
 * Whether an installation may try a key now, and if not, how many seconds until the oldest failure
 * leaves the window (the `Retry-After`).
 */
export function keyAttemptAllowed(failures: readonly number[], now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  const recent = recentFailures(failures, now);
  if (recent.length < maxKeyFailures) return { allowed: true };
  const oldestThatMustLeave = [...recent].sort((a, b) => a - b)[recent.length - maxKeyFailures] as number;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldestThatMustLeave + keyFailureWindowMs - now.getTime()) / 1000)) };
}

/**
 * A new failure at `now` under an id of its own (concurrent failures all count, an SDK retry of the
 * write counts once), forgetting those of `failures` that left the window.
 */
export function nextFailure(failures: KeyFailures, now: Date): FailureWrite {
  const current = new Set(recentFailures(Object.values(failures), now));
  return {
    failureId: randomUUID(),
    at: now.getTime(),
    expired: Object.keys(failures).filter((failureId) => !current.has(failures[failureId] as number)),
    expiresAt: new Date(now.getTime() + keyFailureWindowMs),
  };
}
