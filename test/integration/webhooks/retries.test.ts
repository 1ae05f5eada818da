import { afterAll, describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { WebhookDelivery, WebhookEndpoint } from '@license-activation/contract/schemas';
import { attemptDelivery } from '#lib/webhooks/attempt.js';
import { retryDelaysMs } from '#lib/webhooks/retry-schedule.js';
import type { DeliveryRef } from '#lib/data/webhook-deliveries.js';
import { call } from '../../support/api.js';
import { createCustomerOf, createReseller, issueLicense, registerCustomer } from '../../support/scenario.js';
import { addEndpoint, asDispatcher, clockedDeliveryDeps, dispatchCommitted, storedDelivery } from '../../support/webhooks.js';
import { startReceiver } from '../../support/webhook-receiver.js';
import type { ReceiverAnswer, TestReceiver } from '../../support/webhook-receiver.js';

// The retry schedule, driven at instants the test chooses: the dispatcher's own functions, against real
// receivers on 127.0.0.1. Jitter is drawn at its middle, so each step is exact.

const receivers: TestReceiver[] = [];
afterAll(() => Promise.all(receivers.map((receiver) => receiver.close())));

async function receiver(answer: (index: number) => ReceiverAnswer) {
  const started = await startReceiver((_request, index) => answer(index));
  receivers.push(started);
  return started;
}

const deps = clockedDeliveryDeps();
const attempt = (ref: DeliveryRef, now: Date) => asDispatcher(() => attemptDelivery(deps, ref, now));
const minutes = (count: number) => count * 60_000;
const days = (count: number) => count * 24 * 60 * 60_000;

/** A test delivery to a new ops endpoint at `url`: due now. */
async function testDelivery(url: string): Promise<{ ref: DeliveryRef; endpoint: WebhookEndpoint }> {
  const { endpoint } = await addEndpoint(opsPrincipal, { url });
  const answer = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
  expect(answer.status).toBe(202);
  return { ref: { endpointId: endpoint.id, eventId: answer.body.delivery.eventId }, endpoint };
}

const endpointNow = async (endpointId: string) => (await call<{ endpoint: WebhookEndpoint }>('getWebhookEndpoint', { as: opsPrincipal, params: { endpointId } })).body.endpoint;

describe('webhook retries', () => {
  it('retries a failing endpoint 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure, then fails the delivery', async () => {
    // Prepare
    const inbox = await receiver(() => 500);
    const { ref } = await testDelivery(inbox.url);
    let now = new Date();
    const gaps: number[] = [];
    // Act
    for (let round = 0; round < retryDelaysMs.length + 1; round += 1) {
      const result = await attempt(ref, now);
      const stored = await storedDelivery(ref);
      if (result.nextAttemptAt) gaps.push(Date.parse(result.nextAttemptAt) - Date.parse(stored?.lastAttemptAt ?? ''));
      if (!result.nextAttemptAt) break;
      // A moment before it is due, nothing is sent.
      const early = await attempt(ref, new Date(Date.parse(result.nextAttemptAt) - 1));
      expect(early.nextAttemptAt).toBe(result.nextAttemptAt);
      now = new Date(result.nextAttemptAt);
    }
    // Assess
    expect(gaps).toEqual([...retryDelaysMs]);
    expect(inbox.received).toHaveLength(10);
    expect(new Set(inbox.received.map((request) => request.headers['webhook-id']))).toEqual(new Set([ref.eventId]));
    const final = await storedDelivery(ref);
    expect(final).toMatchObject({ status: 'failed', attempts: 10, lastResponseStatus: 500, lastError: 'answered 500' });
  });

  it('draws each step within ±10 %', async () => {
    const inbox = await receiver(() => 503);
    for (const [random, factor] of [[0, 0.9], [1, 1.1]] as const) {
      const { ref } = await testDelivery(inbox.url);
      const result = await asDispatcher(() => attemptDelivery({ ...deps, random: () => random }, ref, new Date()));
      const stored = await storedDelivery(ref);
      expect(Date.parse(result.nextAttemptAt ?? '') - Date.parse(stored?.lastAttemptAt ?? '')).toBe(Math.round(5000 * factor));
    }
  });

  it('takes a Retry-After of at most 24 hours in place of the next step, and ignores a longer one', async () => {
    const inbox = await receiver((index) => ({ status: 429, headers: { 'retry-after': index === 0 ? '120' : String(25 * 60 * 60) } }));
    const { ref } = await testDelivery(inbox.url);
    const first = await attempt(ref, new Date());
    const afterFirst = await storedDelivery(ref);
    expect(Date.parse(first.nextAttemptAt ?? '') - Date.parse(afterFirst?.lastAttemptAt ?? '')).toBe(120_000);
    const second = await attempt(ref, new Date(first.nextAttemptAt ?? ''));
    const afterSecond = await storedDelivery(ref);
    // The second step, 5 minutes: a Retry-After past 24 hours is not honoured.
    expect(Date.parse(second.nextAttemptAt ?? '') - Date.parse(afterSecond?.lastAttemptAt ?? '')).toBe(minutes(5));
  });

  it('disables the endpoint at a 410 (GONE), fails the delivery, and sends nothing more to it', async () => {
    const inbox = await receiver(() => 410);
    const { ref, endpoint } = await testDelivery(inbox.url);
    const result = await attempt(ref, new Date());
    expect(result.nextAttemptAt).toBeUndefined();
    expect(await storedDelivery(ref)).toMatchObject({ status: 'failed', lastResponseStatus: 410 });
    expect(await endpointNow(endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'GONE' });
    // An event committed while it is disabled is logged, not sent.
    await registerCustomer();
    const refs = await dispatchCommitted(deps);
    expect(refs.filter((pending) => pending.endpointId === endpoint.id)).toEqual([]);
    const log = await call<{ items: WebhookDelivery[] }>('listWebhookDeliveries', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    expect(log.body.items[0]).toMatchObject({ type: 'account.created', status: 'failed', attempts: 0, lastError: 'not sent: the endpoint was disabled (GONE)' });
    expect(inbox.received).toHaveLength(1);
  });

  it('disables an endpoint whose attempts have all failed for 5 days, checked at a failure (FAILING)', async () => {
    const inbox = await receiver(() => 500);
    const { ref, endpoint } = await testDelivery(inbox.url);
    const start = new Date();
    expect((await attempt(ref, start)).nextAttemptAt).toBeDefined();
    expect(await endpointNow(endpoint.id)).toMatchObject({ enabled: true });
    // Another failure within the 5 days keeps it enabled; one past them disables it.
    const second = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    await attempt({ endpointId: endpoint.id, eventId: second.body.delivery.eventId }, new Date(start.getTime() + days(5) - minutes(1)));
    expect(await endpointNow(endpoint.id)).toMatchObject({ enabled: true });
    const third = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    await attempt({ endpointId: endpoint.id, eventId: third.body.delivery.eventId }, new Date(start.getTime() + days(5) + minutes(1)));
    expect(await endpointNow(endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'FAILING' });
    // Its pending retries get no more attempts.
    const pending = await attempt(ref, new Date(start.getTime() + days(6)));
    expect(pending.nextAttemptAt).toBeUndefined();
    expect(await storedDelivery(ref)).toMatchObject({ status: 'failed', lastError: 'not sent: the endpoint is disabled (FAILING)' });
  });

  it('clears the failing streak at a success: 5 days of failures then count from the next failure', async () => {
    let succeed = false;
    const inbox = await receiver(() => (succeed ? 200 : 500));
    const { ref, endpoint } = await testDelivery(inbox.url);
    const start = new Date();
    await attempt(ref, start);
    succeed = true;
    await attempt(ref, new Date(start.getTime() + days(1)));
    succeed = false;
    const next = await call<{ delivery: WebhookDelivery }>('testWebhookEndpoint', { as: opsPrincipal, params: { endpointId: endpoint.id } });
    await attempt({ endpointId: endpoint.id, eventId: next.body.delivery.eventId }, new Date(start.getTime() + days(5) + minutes(1)));
    expect(await endpointNow(endpoint.id)).toMatchObject({ enabled: true });
  });

  it('makes one more attempt at a manual retry, whatever the status: a failed delivery fails again, a pending one keeps its schedule', async () => {
    let answer = 500;
    const inbox = await receiver(() => answer);
    const { ref, endpoint } = await testDelivery(inbox.url);
    const params = { endpointId: endpoint.id, deliveryId: `dlv_${ref.eventId.slice(4)}` };
    // A pending delivery (one failure so far): the retry is an extra attempt, then the schedule goes on.
    await attempt(ref, new Date());
    const retried = await call<{ delivery: WebhookDelivery }>('retryWebhookDelivery', { as: opsPrincipal, params });
    expect(retried.status).toBe(202);
    expect(retried.body.delivery).toMatchObject({ id: params.deliveryId, status: 'pending' });
    const afterRetry = await attempt(ref, new Date());
    const stored = await storedDelivery(ref);
    expect(stored).toMatchObject({ status: 'pending', attempts: 2 });
    expect(Date.parse(afterRetry.nextAttemptAt ?? '') - Date.parse(stored?.lastAttemptAt ?? '')).toBe(minutes(5));
    // A succeeded delivery, retried: one attempt, whose failure fails it.
    answer = 200;
    await attempt(ref, new Date(afterRetry.nextAttemptAt ?? ''));
    expect(await storedDelivery(ref)).toMatchObject({ status: 'succeeded', attempts: 3 });
    answer = 500;
    await call('retryWebhookDelivery', { as: opsPrincipal, params });
    const once = await attempt(ref, new Date(Date.parse(afterRetry.nextAttemptAt ?? '') + 1000));
    expect(once.nextAttemptAt).toBeUndefined();
    expect(await storedDelivery(ref)).toMatchObject({ status: 'failed', attempts: 4, lastResponseStatus: 500 });
    expect(inbox.received).toHaveLength(4);
  });

  it('puts every dispatched event on the bus once it is dispatched, whether or not an endpoint takes it', async () => {
    const published: string[] = [];
    const withBus = clockedDeliveryDeps({ bus: { publish: async (events) => void published.push(...events.map((event) => event.id)) } });
    const customer = await registerCustomer();
    await dispatchCommitted(withBus);
    const feed = await call<{ items: { id: string }[] }>('listCustomerEvents', { as: opsPrincipal, params: { customerId: customer.account.id } });
    expect(published).toEqual(expect.arrayContaining(feed.body.items.map((event) => event.id)));
    // Out of the outbox: a second sweep puts nothing again.
    published.length = 0;
    await dispatchCommitted(withBus);
    expect(published).toEqual([]);
  });

  it('refuses a recover reaching more than 7 days back, naming since', async () => {
    const { endpoint } = await addEndpoint(opsPrincipal, { url: 'http://127.0.0.1:9/hooks' });
    const answer = await call<{ errors: { path: string }[] }>('recoverWebhookDeliveries', {
      as: opsPrincipal,
      params: { endpointId: endpoint.id },
      body: { since: new Date(Date.now() - days(7) - minutes(1)).toISOString() },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]?.path).toBe('since');
  });

  it("drops a reseller endpoint's attempts once the reseller no longer manages the event's customer", async () => {
    const inbox = await receiver(() => 500);
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { endpoint } = await addEndpoint(reseller.principal, { url: inbox.url, types: ['license.issued'] });
    await issueLicense(reseller.principal, { customerId: customer.account.id });
    const dispatchedAt = new Date(Date.now() + minutes(2));
    const [ref] = (await dispatchCommitted(deps, dispatchedAt)).filter((pending) => pending.endpointId === endpoint.id);
    if (!ref) throw new Error('the reseller endpoint got no delivery');
    await attempt(ref, dispatchedAt);
    const removed = await call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: customer.account.id } });
    expect(removed.status).toBe(204);
    const result = await attempt(ref, new Date(dispatchedAt.getTime() + minutes(1)));
    expect(result.nextAttemptAt).toBeUndefined();
    expect(await storedDelivery(ref)).toMatchObject({ status: 'failed', attempts: 1, lastError: "not sent: the endpoint's owner no longer sees this event" });
    expect(inbox.received).toHaveLength(1);
  });
});
