import { randomInt, randomUUID } from 'node:crypto';
import { problem } from '@license-activation/contract/problem';
import { retry, retryOnContention } from '../data/contention.js';
import { checkFreeFailureSlot, freeFailureSlotCheck, takeFailureSlot, toFailureSlots } from '../data/key-failures.js';
import type { FailureCounter, FailureSlots } from '../data/key-failures.js';
import type { TransactItem } from '../data/transactions.js';
import type { Table } from '../platform/dynamodb.js';

/**
 * ../shared/API.md §6: after this many failed key activations of one installation (or unknown user
 * codes of one person) within the window, every further attempt is refused until the oldest leaves it.
 */
export const maxKeyFailures = 10;
export const keyFailureWindowMs = 10 * 60 * 1000;

/**
 * The failures (epoch ms) still inside the window at `now`, those dated after it included: a concurrent
 * request that started later may have recorded its failure before this one read them.
 */
export function recentFailures(failures: readonly number[], now: Date): number[] {
  return failures.filter((at) => at > now.getTime() - keyFailureWindowMs);
}

/** The times of the failures the slots hold. */
export const failureTimes = (slots: FailureSlots): number[] => [...slots.values()].map((failure) => failure.at);

/**
 * Whether an attempt may be made now, and if not, how many seconds until the oldest failure that
 * must leave the window does (the `Retry-After`).
 */
export function keyAttemptAllowed(failures: readonly number[], now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  const recent = recentFailures(failures, now);
  if (recent.length < maxKeyFailures) return { allowed: true };
  const oldestThatMustLeave = [...recent].sort((a, b) => a - b)[recent.length - maxKeyFailures] as number;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldestThatMustLeave + keyFailureWindowMs - now.getTime()) / 1000)) };
}

/**
 * The slots a new failure may take at `now`: those of the `maxKeyFailures` that are empty or whose
 * failure left the window (exactly the condition `takeFailureSlot` writes under).
 */
export function freeFailureSlots(slots: FailureSlots, now: Date): number[] {
  const windowStart = now.getTime() - keyFailureWindowMs;
  return Array.from({ length: maxKeyFailures }, (_, slot) => slot).filter((slot) => (slots.get(slot)?.at ?? windowStart) <= windowStart);
}

/** Seconds until the oldest failure of full slots leaves the window, at least 1 (the `Retry-After`). */
function secondsUntilASlotFrees(slots: FailureSlots, now: Date): number {
  return Math.max(1, Math.ceil((Math.min(...failureTimes(slots)) + keyFailureWindowMs - now.getTime()) / 1000));
}

const refused = (slots: FailureSlots, now: Date, refusal: string) => problem('RATE_LIMITED', refusal, { retryAfterSeconds: secondsUntilASlotFrees(slots, now) });

/**
 * The item that makes the transaction answering a recognised key (or code) commit only while the
 * counter still admits an attempt: whatever the concurrency, once the 10th failure is counted no
 * attempt is answered in the window, not even a good key's (API.md §6, "its 11th key activation and
 * every later one"). `attemptRefused` is the answer when it fails.
 */
export const attemptAdmittedCheck = (table: Table, counter: FailureCounter, now: Date): TransactItem =>
  freeFailureSlotCheck(table, counter, { slotCount: maxKeyFailures, windowStart: now.getTime() - keyFailureWindowMs });

export const attemptRefused = (failed: Record<string, unknown> | undefined, now: Date, refusal: string) => refused(toFailureSlots(failed), now, refusal);

/**
 * The same order for an answer that writes nothing else (a refusal of a recognised key, a repeat, a
 * known user code): one round trip that checks the counter still admits an attempt, else 429.
 */
export async function confirmAttemptAdmitted(table: Table, counter: FailureCounter, request: { now: Date; refusal: string }): Promise<void> {
  const { now } = request;
  const outcome = await retryOnContention(async () => {
    const checked = await checkFreeFailureSlot(table, counter, { slotCount: maxKeyFailures, windowStart: now.getTime() - keyFailureWindowMs });
    return checked === 'contention' ? retry : checked;
  });
  if (!outcome.free) throw refused(outcome.slots, now, request.refusal);
}

/**
 * Counts one failure at `now` before its answer is given, so that no more than `maxKeyFailures`
 * failures are ever answered within a window, however many arrive at once: the failure takes a free
 * slot on condition that it still is (one UpdateItem); when a concurrent failure took it first, the
 * failed condition tells which slots are left and another is tried. With none left the failure is
 * not answered but refused: 429 `RATE_LIMITED` with `refusal` and the `Retry-After`. `slots` are the
 * slots as the request read them. Each attempt that fails means another failure was counted, so the
 * attempts end once the slots are full.
 */
export async function countFailure(table: Table, counter: FailureCounter, request: { slots: FailureSlots; now: Date; refusal: string }): Promise<void> {
  const { now } = request;
  const failure = { at: now.getTime(), id: randomUUID() };
  let slots = request.slots;
  for (;;) {
    const free = freeFailureSlots(slots, now);
    if (free.length === 0) throw refused(slots, now, request.refusal);
    // A random free slot: concurrent failures that read the same slots seldom meet on one.
    const slot = free[randomInt(free.length)] as number;
    const outcome = await takeFailureSlot(table, counter, { slot, failure, windowStart: now.getTime() - keyFailureWindowMs, expiresAt: new Date(now.getTime() + keyFailureWindowMs) });
    if (outcome.taken) return;
    slots = outcome.slots;
  }
}
