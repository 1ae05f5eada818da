import { join } from 'node:path';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { streamConsumerNames } from '#cdk/function-permissions.js';
import { table } from '#lib/platform/dynamodb.js';
import { handler as insightsStream } from '#functions/insights-stream/index.js';
import { lambdaContext } from './lambda-context.js';
import { importHandler } from './local-server.js';
import { asFunction, enforceTablePermissions } from './table-permissions.js';
import { startTableStream } from './table-stream.js';
import type { StreamConsumer, TableStream } from './table-stream.js';

/**
 * The consumers of the table's change stream as `npm start` runs them: every function that
 * cdk/function-permissions.ts says consumes it (its `stream` needs), its handler loaded as the local
 * server loads a route's, each behind its own position as its event source mapping is on AWS, and within
 * its function's IAM grant (dev/table-permissions.ts).
 */
export async function streamConsumers(): Promise<StreamConsumer[]> {
  enforceTablePermissions(table().client);
  return Promise.all(
    streamConsumerNames.map(async (name): Promise<StreamConsumer> => {
      const handler = await importHandler(name);
      return {
        name,
        // A stream consumer's handler answers a batch as Lambda's `ReportBatchItemFailures` reads it.
        handle: async (event) => (await asFunction(name, () => handler(event as never, lambdaContext(name)))) as DynamoDBBatchResponse | undefined,
      };
    }),
  );
}

/** The insights consumer's scheduled invocation: the clock's tick. */
export async function insightsClockTick(): Promise<void> {
  enforceTablePermissions(table().client);
  await asFunction('insights-stream', () => insightsStream({ 'detail-type': 'Scheduled Event' }));
}

/**
 * Starts every consumer on the table's stream; their positions survive restarts in `$DATA_DIR`.
 * `STREAM_CONSUMERS=off` starts none (`npm run bench`: on AWS the consumers are functions of their own,
 * so the service's own CPU and latency are measured without them).
 */
export async function startStreamConsumers(dataDir: string): Promise<Pick<TableStream, 'stop'>> {
  if (process.env.STREAM_CONSUMERS === 'off') return { stop: async () => undefined };
  return startTableStream({
    table: table(),
    consumers: await streamConsumers(),
    checkpointFile: join(dataDir, 'stream-checkpoints.json'),
    onError: (consumer, error) => console.error(`stream consumer ${consumer} failed; its batch is retried:`, error),
  });
}
