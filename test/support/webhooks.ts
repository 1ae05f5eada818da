import { Webhook } from 'standardwebhooks';
import { table } from '#lib/platform/dynamodb.js';
import { startLocalWebhooks } from '#dev/local-webhooks.js';
import type { LocalWebhooks } from '#dev/local-webhooks.js';
import { startTableStream } from '#dev/table-stream.js';
import type { TableStream } from '#dev/table-stream.js';
import { processDeliveryDeps } from '#lib/webhooks/process-webhook-deps.js';
import type { DeliveryDeps } from '#lib/webhooks/webhook-deps.js';
import { sweep } from '#lib/webhooks/delivery-runner.js';
import { getDelivery } from '#lib/data/webhook-deliveries.js';
import type { DeliveryRef } from '#lib/data/webhook-deliveries.js';
import { asFunction } from '#dev/table-permissions.js';
import type { AccountPrincipal, PersonPrincipal } from '#lib/auth/principal.js';
import type { WebhookEndpoint } from '@license-activation/contract/schemas';
import { call } from './api.js';
import type { ReceivedWebhook } from './webhook-receiver.js';
import { streamTestTable } from './table-stream.js';

/**
 * The webhook dispatcher as `npm start` runs it, on the test file's table: its stream consumer on the
 * table's change stream, its deliveries in this process. `settled()` waits until everything committed so
 * far is dispatched and every delivery started has finished its run.
 */
export interface TestDispatcher {
  readonly webhooks: LocalWebhooks;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestDispatcher(deps: DeliveryDeps = processDeliveryDeps()): Promise<TestDispatcher> {
  await streamTestTable();
  const errors: unknown[] = [];
  const webhooks = startLocalWebhooks(deps, { sweepIntervalMs: 60 * 60 * 1000, onError: (error) => errors.push(error) });
  // The file's table streams from here on (streamTestTable): the dispatcher takes what is committed from its
  // start, as a consumer deployed now would (Lambda's LATEST).
  const stream: TableStream = await startTableStream({ table: table(), consumers: [webhooks.consumer], idleDelayMs: 100, onError: (_consumer, error) => errors.push(error) });
  return {
    webhooks,
    async settled() {
      await stream.settled();
      await webhooks.settled();
      if (errors.length > 0) throw new AggregateError(errors.splice(0), 'the dispatcher failed');
    },
    async stop() {
      await stream.stop();
      await webhooks.stop();
    },
  };
}

/** Adds an endpoint through the API, as `as` (an account, ops or a person through a membership). */
export async function addEndpoint(as: AccountPrincipal | PersonPrincipal, body: { url: string; types?: string[]; description?: string }, headers?: Record<string, string>) {
  const answer = await call<{ endpoint: WebhookEndpoint; secret: string }>('createWebhookEndpoint', { as, body, ...(headers ? { headers } : {}) });
  if (answer.status !== 201) throw new Error(`endpoint not created: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A delivery as Standard Webhooks' reference library verifies it with the endpoint's secret: its parsed body. */
export function verified(received: ReceivedWebhook, secret: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  const headers = Object.fromEntries(Object.entries(received.headers).map(([name, value]) => [name, String(value)]));
  return new Webhook(secret).verify(received.body, headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}

/** Deliveries of the test file's table as the dispatcher sees them, at an instant the test chooses: jitter drawn at its middle. */
export function clockedDeliveryDeps(overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return { ...processDeliveryDeps(), random: () => 0.5, ...overrides };
}

/** Runs `work` as the dispatcher function: within its IAM table permissions, as on AWS. */
export const asDispatcher = <T>(work: () => Promise<T>): Promise<T> => asFunction('webhook-dispatcher', work);

/**
 * Hands everything committed so far to the dispatcher as its sweep would at `now` (events in the outbox
 * for over a minute), without attempting anything: answers the deliveries it would start.
 */
export async function dispatchCommitted(deps: DeliveryDeps, now = new Date(Date.now() + 2 * 60_000)): Promise<DeliveryRef[]> {
  const started: DeliveryRef[] = [];
  await asDispatcher(() =>
    sweep(deps, now, async (refs) => {
      started.push(...refs);
    }),
  );
  return started;
}

/** A delivery as stored. */
export const storedDelivery = (ref: DeliveryRef) => asDispatcher(() => getDelivery(table(), ref.endpointId, ref.eventId));
