import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { table } from '#lib/platform/dynamodb.js';
import { catalog } from '#lib/platform/catalog.js';
import { logger } from '#lib/platform/logger.js';
import { writeTick } from '#lib/data/insights.js';
import { handleInsightsRecords } from '#lib/insights/insights-stream.js';

/**
 * The insights consumer: invoked by its event source mapping with batches of the table's change stream,
 * and by an EventBridge schedule (every minute) to write the clock's tick, whose change carries the time
 * through the stream when nothing else is written, so that `asOf` and the windows move on.
 */
export async function handler(event: DynamoDBStreamEvent | { readonly 'detail-type': string }): Promise<DynamoDBBatchResponse | void> {
  if (!('Records' in event)) return writeTick(table(), new Date());
  return handleInsightsRecords({ table: table(), catalog: catalog() }, event, (error) => logger.error('a stream record could not be applied; it is delivered again', { error }));
}
