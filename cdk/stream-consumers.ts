import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';

/**
 * A consumer of the table's change stream (docs/ARCHITECTURE.md, "After a commit"): a function behind an
 * event source mapping, as `npm start` runs the same code through dev/table-stream.ts. Every consumer gets
 * the same settings — partial batch responses (`batchItemFailures`), a failing batch bisected so one bad
 * record does not hold its neighbours, a bounded number of retries — and the filters of what it reads, so
 * that it is invoked for nothing else. A consumer must be idempotent and must not lose work when a record
 * is given up after its retries (the webhook dispatcher's outbox sweep catches what its stream missed).
 */
export interface StreamConsumerOptions {
  /** Lambda event filter patterns (at most 5), on the record as Lambda sees it: `{ eventName, dynamodb: { NewImage, OldImage, Keys } }`. */
  readonly filters: ReadonlyArray<Record<string, unknown>>;
  /** Records per invocation. */
  readonly batchSize?: number;
}

/** How often a failing batch is retried (bisected) before its records are given up. */
export const streamRetryAttempts = 10;

export function consumeTableStream(consumer: IFunction, table: ITable, options: StreamConsumerOptions): void {
  consumer.addEventSource(
    new DynamoEventSource(table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: options.batchSize ?? 100,
      // No batching window: the first attempt of a delivery starts within 5 seconds of its event's commit.
      maxBatchingWindow: Duration.seconds(0),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: streamRetryAttempts,
      maxRecordAge: Duration.hours(6),
      filters: options.filters.map((pattern) => FilterCriteria.filter(pattern)),
    }),
  );
}
