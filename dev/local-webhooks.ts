import { asFunction } from './table-permissions.js';
import type { StreamConsumer } from './table-stream.js';
import { runDeliveries, sweep } from '#lib/webhooks/delivery-runner.js';
import type { DeliveryStarter } from '#lib/webhooks/delivery-runner.js';
import { handleTableChanges } from '#lib/webhooks/table-changes.js';
import type { DeliveryDeps } from '#lib/webhooks/webhook-deps.js';

/**
 * The webhook dispatcher as `npm start` runs it: the same code as the AWS function, with deliveries run in
 * this process (each apart, never awaited by the stream batch that started it) instead of in invocations
 * of their own, and the sweep on a timer (once at start, so that what a stopped or killed service left due
 * goes out at once) instead of an EventBridge schedule.
 */
export interface LocalWebhooks {
  /** The stream consumer to give `startTableStream`. */
  readonly consumer: StreamConsumer;
  /** One sweep now: what the timer does. */
  sweepNow(now?: Date): Promise<void>;
  /** Resolves once no delivery is running (tests await it). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The local sweep's period: AWS sweeps every minute; locally sooner, so that a developer waits less for a missed event. */
export const localSweepIntervalMs = 15_000;

export function startLocalWebhooks(deps: DeliveryDeps, options: { sweepIntervalMs?: number; onError: (error: unknown) => void }): LocalWebhooks {
  const stopped = new AbortController();
  const running = new Set<Promise<void>>();
  // Within the dispatcher function's IAM table permissions, as on AWS (dev/table-permissions.ts).
  const asDispatcher = <T>(work: () => T): T => asFunction('webhook-dispatcher', work);
  const start: DeliveryStarter = (refs) => {
    const run = asDispatcher(() => runDeliveries(deps, refs, options.onError, { signal: stopped.signal }));
    running.add(run);
    void run.finally(() => running.delete(run));
    return Promise.resolve();
  };
  const sweepNow = async (now = new Date()) => {
    await asDispatcher(() => sweep(deps, now, start));
  };
  const sweepQuietly = () => {
    if (!stopped.signal.aborted) sweepNow().catch(options.onError);
  };
  sweepQuietly();
  const timer = setInterval(sweepQuietly, options.sweepIntervalMs ?? localSweepIntervalMs);
  timer.unref();
  return {
    consumer: { name: 'webhook-dispatcher', handle: (event) => asDispatcher(() => handleTableChanges(deps, event, start, options.onError)) },
    sweepNow,
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async stop() {
      clearInterval(timer);
      stopped.abort();
      await Promise.all([...running]);
    },
  };
}
