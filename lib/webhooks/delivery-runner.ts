import { setTimeout as sleep } from 'node:timers/promises';
import { undispatchedEvents } from '../data/events.js';
import { dueDeliveries } from '../data/webhook-deliveries.js';
import type { DeliveryRef } from '../data/webhook-deliveries.js';
import { idBoundaryAt } from '../ids.js';
import { count } from '../platform/metrics.js';
import { metricNames } from '../platform/metric-names.js';
import { attemptDelivery } from './attempt.js';
import { attemptTimeoutMs } from './send-webhook.js';
import { dispatchEvent } from './dispatch.js';
import type { DeliveryDeps } from './webhook-deps.js';

/**
 * Runs deliveries: each on its own, so that one endpoint that hangs for its 15 seconds delays no other.
 * A delivery whose next attempt falls within the look-ahead (the 5-second retry, a short `Retry-After`) is
 * waited for and attempted again in the same run; later ones are left to the sweep, which finds them in
 * the table (gsi3 `DELIVERIES_DUE`) when they fall due. The sweep also dispatches the events the stream did
 * not hand over within a minute (gsi3 `EVENTS_UNDISPATCHED`): the outbox's guarantee.
 */

/** How far ahead a sweep starts deliveries, and how long a run waits for a delivery's next attempt. */
export const lookaheadMs = 60_000;
/** An event still in the outbox this long after its commit was missed by the stream: the sweep dispatches it. */
export const outboxGraceMs = 60_000;
/** At most this many deliveries and events per sweep; the next sweep takes the rest. */
const sweepBatch = 200;

/**
 * Starts deliveries apart from the caller (in-process locally, another Lambda invocation on AWS). It
 * resolves once they are handed over, not once they are done.
 */
export type DeliveryStarter = (refs: readonly DeliveryRef[]) => Promise<void>;

/** How a run ends: stopped (`npm start` shutting down), or by a deadline (a Lambda invocation's time). */
export interface RunLimits {
  readonly signal?: AbortSignal;
  /** Epoch ms by which a run must be done: an attempt that could not end by then is left to the sweep. */
  readonly deadline?: number;
}

/** Attempts a delivery when it is due, again while its next attempt falls within the look-ahead. */
export async function runDelivery(deps: DeliveryDeps, ref: DeliveryRef, limits: RunLimits = {}): Promise<void> {
  let due = Date.now();
  while (!limits.signal?.aborted) {
    const wait = due - Date.now();
    if (limits.deadline !== undefined && Date.now() + Math.max(0, wait) + attemptTimeoutMs > limits.deadline) return;
    if (wait > 0) await sleep(wait, undefined, { signal: limits.signal }).catch(() => undefined);
    if (limits.signal?.aborted) return;
    const { nextAttemptAt } = await attemptDelivery(deps, ref, new Date());
    if (nextAttemptAt === undefined || Date.parse(nextAttemptAt) - Date.now() > lookaheadMs) return;
    due = Date.parse(nextAttemptAt);
  }
}

/** Runs deliveries side by side; one that fails is reported and left to the sweep. */
export async function runDeliveries(deps: DeliveryDeps, refs: readonly DeliveryRef[], onError: (error: unknown) => void, limits: RunLimits = {}): Promise<void> {
  await Promise.all(refs.map((ref) => runDelivery(deps, ref, limits).catch(onError)));
}

/** One sweep at `now`: deliveries falling due within the look-ahead, and events the stream missed. */
export async function sweep(deps: DeliveryDeps, now: Date, start: DeliveryStarter): Promise<{ deliveries: number; events: number }> {
  const due = await dueDeliveries(deps.table, new Date(now.getTime() + lookaheadMs), sweepBatch);
  if (due.length > 0) await start(due);
  const missed = await undispatchedEvents(deps.table, idBoundaryAt('evt', new Date(now.getTime() - outboxGraceMs)), sweepBatch);
  for (const entry of missed) {
    count(metricNames.eventsSweptFromOutbox);
    const started = await dispatchEvent(deps, entry, now);
    if (started.length > 0) await start(started);
  }
  return { deliveries: due.length, events: missed.length };
}
