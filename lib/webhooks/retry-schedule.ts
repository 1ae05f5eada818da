import type { WebhookDisabledReason } from '@license-activation/contract/schemas';
import type { DeliveryRecord } from '../data/webhook-deliveries.js';
import type { EndpointHealth, WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import type { SendOutcome } from './send-webhook.js';

/**
 * What an attempt's outcome does to its delivery and its endpoint (API.md §9), decided without I/O: a 2xx
 * succeeds; anything else is retried 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after the
 * previous failure (each ±10 %), then the delivery has failed. A `Retry-After` of at most 24 hours replaces
 * the next step. 410 disables the endpoint at once (`GONE`); an endpoint whose attempts have all failed for
 * 5 days, checked at each failure, is disabled (`FAILING`).
 */

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** The delay before each retry, after the 1st, 2nd, … failure. */
export const retryDelaysMs = [5 * second, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour, 14 * hour, 20 * hour, 24 * hour] as const;
/** Each delay is drawn within ±10 % of its step, so that endpoints' retries do not fall in step. */
export const retryJitter = 0.1;
/** An endpoint whose attempts have all failed this long is disabled (`FAILING`). */
export const failingDisablesAfterMs = 5 * 24 * hour;

export interface AttemptDecision {
  readonly delivery: DeliveryRecord;
  readonly endpoint: EndpointHealth;
}

/** The delay before the next retry after `failures` failures, or undefined when the schedule is spent. */
export function nextRetryDelayMs(failures: number, random: () => number, retryAfterSeconds?: number): number | undefined {
  const step = retryDelaysMs[failures - 1];
  if (step === undefined) return undefined;
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * second;
  return Math.round(step * (1 - retryJitter + 2 * retryJitter * random()));
}

/** Whether this failure disables the endpoint, and why. */
function disableFor(outcome: Extract<SendOutcome, { ok: false }>, endpoint: Pick<WebhookEndpointRecord, 'failingSince'>, at: Date): WebhookDisabledReason | undefined {
  if (outcome.status === 410) return 'GONE';
  const failingSince = endpoint.failingSince ?? at.toISOString();
  return at.getTime() - Date.parse(failingSince) >= failingDisablesAfterMs ? 'FAILING' : undefined;
}

/**
 * The delivery and the endpoint after an attempt that ended at `at`. `random` draws the jitter (0 to 1).
 * A manual retry of a delivery that had finished is one attempt: it fails again rather than starting the
 * schedule over.
 */
export function decideAfterAttempt(
  delivery: DeliveryRecord,
  endpoint: Pick<WebhookEndpointRecord, 'failingSince'>,
  outcome: SendOutcome,
  at: Date,
  random: () => number,
): AttemptDecision {
  const attempted: DeliveryRecord = {
    ...delivery,
    attempts: delivery.attempts + 1,
    lastAttemptAt: at.toISOString(),
    lastResponseStatus: 'status' in outcome ? outcome.status : undefined,
    lastError: outcome.ok ? undefined : outcome.error,
    singleAttempt: undefined,
    requested: undefined,
  };
  if (outcome.ok) {
    return { delivery: { ...attempted, status: 'succeeded', nextAttemptAt: undefined }, endpoint: { recovered: true } };
  }
  const disable = disableFor(outcome, endpoint, at);
  const failures = delivery.failures + 1;
  const delay = disable || delivery.singleAttempt ? undefined : nextRetryDelayMs(failures, random, outcome.retryAfterSeconds);
  const health: EndpointHealth = { failedAt: at.toISOString(), ...(disable ? { disable } : {}) };
  if (delay === undefined) return { delivery: { ...attempted, failures, status: 'failed', nextAttemptAt: undefined }, endpoint: health };
  return { delivery: { ...attempted, failures, status: 'pending', nextAttemptAt: new Date(at.getTime() + delay).toISOString() }, endpoint: health };
}

/** A delivery that gets no (more) attempts, and why: the endpoint is gone, disabled, or may no longer see the event. */
export function abandoned(delivery: DeliveryRecord, reason: string): DeliveryRecord {
  return { ...delivery, status: 'failed', nextAttemptAt: undefined, lastError: reason, singleAttempt: undefined };
}
