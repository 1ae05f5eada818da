import { table } from '#lib/platform/dynamodb.js';
import { returnExpiredBudgets } from '#lib/licenses/budgets.js';
import { giveExpiryNotices } from '#lib/licenses/expiry-notices.js';

/** How often `npm start` runs the jobs an EventBridge schedule runs on AWS (the same interval). */
export const scheduledJobIntervalMs = 60 * 60 * 1000;

/**
 * The scheduled jobs of the AWS stack, on a timer: once at start, then every hour. A failed run is
 * reported and left to the next one, like a scheduled Lambda's.
 */
export function startScheduledJobs(intervalMs = scheduledJobIntervalMs): { stop(): void } {
  const run = () => {
    returnExpiredBudgets({ table: table() }, new Date()).catch((error: unknown) => console.error('returning expired budgets failed:', error));
    giveExpiryNotices({ table: table() }, new Date()).catch((error: unknown) => console.error('giving license expiry notices failed:', error));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
