import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '#lib/data/webhook-deliveries.js';
import { decideAfterAttempt, nextRetryDelayMs, retryDelaysMs } from '#lib/webhooks/retry-schedule.js';
import type { SendOutcome } from '#lib/webhooks/send-webhook.js';

const at = new Date('2026-12-01T12:00:00.000Z');
const hour = 60 * 60 * 1000;
const delivery = (overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  endpointId: 'whe_1',
  ownerKey: 'vendor',
  eventId: 'evt_1',
  event: { id: 'evt_1', type: 'license.issued', createdAt: at.toISOString(), actor: { kind: 'ops', id: 'ops' } },
  status: 'pending',
  attempts: 0,
  failures: 0,
  createdAt: at.toISOString(),
  nextAttemptAt: at.toISOString(),
  ...overrides,
});
const failed = (status?: number, retryAfterSeconds?: number): SendOutcome => ({ ok: false, error: status ? `answered ${status}` : 'connection refused', ...(status ? { status } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
const middle = () => 0.5;

describe('nextRetryDelayMs', () => {
  it.each(retryDelaysMs.map((delay, index) => [index + 1, delay] as const))('waits the step after failure %i: %i ms, ±10 %', (failures, delay) => {
    expect(nextRetryDelayMs(failures, middle)).toBe(delay);
    expect(nextRetryDelayMs(failures, () => 0)).toBe(Math.round(delay * 0.9));
    expect(nextRetryDelayMs(failures, () => 1)).toBe(Math.round(delay * 1.1));
  });

  it('has no step after the 10th failure, Retry-After or not', () => {
    expect(nextRetryDelayMs(10, middle)).toBeUndefined();
    expect(nextRetryDelayMs(10, middle, 60)).toBeUndefined();
  });

  it('takes a Retry-After in place of the step', () => {
    expect(nextRetryDelayMs(3, middle, 90)).toBe(90_000);
  });
});

describe('decideAfterAttempt', () => {
  it('succeeds on a 2xx: no next attempt, the failing streak ends', () => {
    const decision = decideAfterAttempt(delivery({ failures: 2, attempts: 2, lastError: 'answered 500' }), { failingSince: at.toISOString() }, { ok: true, status: 202 }, at, middle);
    expect(decision.delivery).toMatchObject({ status: 'succeeded', attempts: 3, lastResponseStatus: 202, lastAttemptAt: at.toISOString() });
    expect(decision.delivery.lastError).toBeUndefined();
    expect(decision.delivery.nextAttemptAt).toBeUndefined();
    expect(decision.endpoint).toEqual({ recovered: true });
  });

  it('schedules the next step after a failure and starts the failing streak', () => {
    const decision = decideAfterAttempt(delivery(), {}, failed(500), at, middle);
    expect(decision.delivery).toMatchObject({ status: 'pending', attempts: 1, failures: 1, lastResponseStatus: 500, lastError: 'answered 500', nextAttemptAt: '2026-12-01T12:00:05.000Z' });
    expect(decision.endpoint).toEqual({ failedAt: at.toISOString() });
  });

  it('fails the delivery after its 10th failure', () => {
    const decision = decideAfterAttempt(delivery({ attempts: 9, failures: 9 }), {}, failed(500), at, middle);
    expect(decision.delivery).toMatchObject({ status: 'failed', attempts: 10 });
    expect(decision.delivery.nextAttemptAt).toBeUndefined();
  });

  it('disables the endpoint at a 410 and fails the delivery at once', () => {
    const decision = decideAfterAttempt(delivery(), {}, failed(410), at, middle);
    expect(decision.delivery.status).toBe('failed');
    expect(decision.endpoint).toEqual({ failedAt: at.toISOString(), disable: 'GONE' });
  });

  it.each([
    [5 * 24 * hour - 1, undefined],
    [5 * 24 * hour, 'FAILING'],
  ])('disables an endpoint failing for %i ms: %s', (failingFor, disable) => {
    const decision = decideAfterAttempt(delivery(), { failingSince: new Date(at.getTime() - failingFor).toISOString() }, failed(), at, middle);
    expect(decision.endpoint.disable).toBe(disable);
    expect(decision.delivery.status).toBe(disable ? 'failed' : 'pending');
  });

  it('makes a manual retry of a finished delivery one attempt, and clears the request', () => {
    const decision = decideAfterAttempt(delivery({ attempts: 10, failures: 10, singleAttempt: true, requested: 'retry' }), {}, failed(502), at, middle);
    expect(decision.delivery).toMatchObject({ status: 'failed', attempts: 11 });
    expect(decision.delivery.singleAttempt).toBeUndefined();
    expect(decision.delivery.requested).toBeUndefined();
  });
});
