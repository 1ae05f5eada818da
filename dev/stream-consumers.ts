import { join } from 'node:path';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { streamConsumerNames } from '#cdk/function-permissions.js';
import type { StreamConsumerName } from '#cdk/function-permissions.js';
import { table } from '#lib/platform/dynamodb.js';
import { lambdaContext } from './lambda-context.js';
import { streamCheckpointFileName } from './local-data-dir.js';
import { importHandler } from './local-server.js';
import { startLocalWebhooks } from './local-webhooks.js';
import { asFunction, enforceTablePermissions } from './table-permissions.js';
import { startTableStream } from './table-stream.js';
import type { StreamConsumer, TableStream } from './table-stream.js';

/**
 * The consumers of the table's change stream as `npm start` runs them: every function that
 * cdk/function-permissions.ts says consumes it (its `stream` needs), its handler loaded as the local
 * server loads a route's, each behind its own position as its event source mapping is on AWS, and within
 * its function's IAM grant (dev/table-permissions.ts). `inProcess` replaces a consumer whose AWS function
 * hands work to invocations of its own (the webhook dispatcher's deliveries: dev/local-webhooks.ts).
 */
export async function streamConsumers(inProcess: Partial<Record<StreamConsumerName, StreamConsumer>> = {}): Promise<StreamConsumer[]> {
  enforceTablePermissions(table().client);
  return Promise.all(
    streamConsumerNames.map(async (name): Promise<StreamConsumer> => {
      const local = inProcess[name];
      if (local) return local;
      const handler = await importHandler(name);
      return {
        name,
        // A stream consumer's handler answers a batch as Lambda's `ReportBatchItemFailures` reads it.
        handle: async (event) => (await asFunction(name, () => handler(event as never, lambdaContext(name)))) as DynamoDBBatchResponse | undefined,
      };
    }),
  );
}

// Handlers' modules are imported when first used, never at the top: they read settings such as the log level as
// they load, and npm start sets those after its own imports.

/** The insights consumer's scheduled invocation: the clock's tick. */
export async function insightsClockTick(): Promise<void> {
  enforceTablePermissions(table().client);
  const { handler: insightsStream } = await import('#functions/insights-stream/index.js');
  await asFunction('insights-stream', () => insightsStream({ 'detail-type': 'Scheduled Event' }));
}

/**
 * Starts every consumer on the table's stream; their positions survive restarts in `$DATA_DIR`.
 * `STREAM_CONSUMERS=off` starts none (`npm run bench`: on AWS the consumers are functions of their own,
 * so the service's own CPU and latency are measured without them).
 */
export async function startStreamConsumers(dataDir: string): Promise<Pick<TableStream, 'stop' | 'settled'>> {
  if (process.env.STREAM_CONSUMERS === 'off') return { stop: async () => undefined, settled: async () => undefined };
  enforceTablePermissions(table().client);
  const { processDeliveryDeps } = await import('#lib/webhooks/process-webhook-deps.js');
  const webhooks = startLocalWebhooks(processDeliveryDeps(), { onError: (error) => console.error('webhook dispatcher:', error) });
  const stream = await startTableStream({
    table: table(),
    consumers: await streamConsumers({ 'webhook-dispatcher': webhooks.consumer }),
    checkpointFile: join(dataDir, streamCheckpointFileName),
    onError: (consumer, error) => console.error(`stream consumer ${consumer} failed; its batch is retried:`, error),
  });
  return {
    async settled() {
      await stream.settled();
      await webhooks.settled();
    },
    async stop() {
      await stream.stop();
      await webhooks.stop();
    },
  };
}
