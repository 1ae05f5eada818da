import { table } from '#lib/platform/dynamodb.js';
import { returnExpiredBudgets } from '#lib/licenses/budgets.js';
import { insightsClockTick } from './stream-consumers.js';
import { giveExpiryNotices } from '#lib/licenses/expiry-notices.js';

/** How often `npm start` runs the jobs an EventBridge schedule runs on AWS (the same intervals). */
export const scheduledJobIntervalMs = 60 * 60 * 1000;
export const insightsTickIntervalMs = 60 * 1000;

/**
 * The scheduled jobs of the AWS stack, on timers: once at start, then at their interval (hourly: the
 * budgets of expired licenses and the license expiry notices, which AWS gives on the webhook dispatcher's
 * minute, within the hour API.md §9 allows; every minute: the insights clock's tick). A failed run is reported and
 * left to the next one, like a scheduled Lambda's.
 */
export function startScheduledJobs(): { stop(): void } {
  const jobs = [
    { intervalMs: scheduledJobIntervalMs, what: 'returning expired budgets', run: () => returnExpiredBudgets({ table: table() }, new Date()) },
    { intervalMs: scheduledJobIntervalMs, what: 'giving license expiry notices', run: () => giveExpiryNotices({ table: table() }, new Date()) },
    { intervalMs: insightsTickIntervalMs, what: "the insights clock's tick", run: insightsClockTick },
  ];
  const timers = jobs.map(({ intervalMs, what, run }) => {
    const once = () => void run().catch((error: unknown) => console.error(`${what} failed:`, error));
    once();
    const timer = setInterval(once, intervalMs);
    timer.unref();
    return timer;
  });
  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
