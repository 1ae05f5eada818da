import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { config } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { giveExpiryNotices } from '#lib/licenses/expiry-notices.js';
import { logger } from '#lib/platform/logger.js';
import { publishJobMetrics } from '#lib/platform/metrics.js';
import { runDeliveries, sweep } from '#lib/webhooks/delivery-runner.js';
import { lambdaDeliveryStarter } from '#lib/webhooks/lambda-delivery-starter.js';
import type { RunDeliveriesEvent } from '#lib/webhooks/lambda-delivery-starter.js';
import { processDeliveryDeps } from '#lib/webhooks/process-webhook-deps.js';
import { handleTableChanges } from '#lib/webhooks/table-changes.js';

/** Time kept back from an invocation's end: an attempt that could not finish before it is left to the sweep. */
const marginMs = 5_000;

const reportError = (error: unknown) => logger.error('webhook dispatcher step failed', { error });

/**
 * The webhook dispatcher, one function for three triggers: the table's stream (events become deliveries
 * and bus entries), an EventBridge schedule every minute (the expiry notices due, `license.expiring` and
 * `license.expired`, within the hour API.md §9 allows; then the sweep of due deliveries and of events the
 * stream missed), and its own asynchronous invocations, which run deliveries. The notices ride on the
 * sweep's schedule rather than a function of their own: the stage's template keeps its room under 500.
 */
export async function handler(event: DynamoDBStreamEvent | ScheduledEvent | RunDeliveriesEvent, context: Context): Promise<DynamoDBBatchResponse | void> {
  const deps = processDeliveryDeps();
  const start = lambdaDeliveryStarter(config().region, context.functionName);
  try {
    if ('Records' in event) return await handleTableChanges(deps, event, start, reportError);
    if ('deliveries' in event) {
      await runDeliveries(deps, event.deliveries, reportError, { deadline: Date.now() + context.getRemainingTimeInMillis() - marginMs });
      return;
    }
    // A failure to give notices is logged and left to the next minute; it never holds up the sweep.
    const notices = await giveExpiryNotices({ table: table() }, new Date()).catch((error: unknown) => reportError(error));
    if (notices && notices.handled > 0) logger.info('license expiry notices given', notices);
    const swept = await sweep(deps, new Date(), start);
    if (swept.events > 0) logger.warn('the sweep dispatched events the stream had not', swept);
  } finally {
    publishJobMetrics();
  }
}
