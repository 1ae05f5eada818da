import { join } from 'node:path';
import { table } from '#lib/platform/dynamodb.js';
import { processDeliveryDeps } from '#lib/webhooks/process-webhook-deps.js';
import { streamCheckpointFileName } from './local-data-dir.js';
import { startLocalWebhooks } from './local-webhooks.js';
import type { LocalWebhooks } from './local-webhooks.js';
import { enforceTablePermissions } from './table-permissions.js';
import { startTableStream } from './table-stream.js';
import type { StreamConsumer, TableStream } from './table-stream.js';

/**
 * The consumers of the table's change stream, as `npm start` runs them: each behind its own position,
 * as its event source mapping is on AWS, and within its function's IAM grant (dev/table-permissions.ts).
 * The webhook dispatcher runs its deliveries in this process (`webhooks`: dev/local-webhooks.ts).
 */
export function streamConsumers(webhooks: Pick<LocalWebhooks, 'consumer'>): StreamConsumer[] {
  enforceTablePermissions(table().client);
  return [webhooks.consumer];
}

/**
 * Starts every consumer on the table's stream; their positions survive restarts in `$DATA_DIR`.
 * `STREAM_CONSUMERS=off` starts none (`npm run bench`: on AWS the consumers are functions of their own,
 * so the service's own CPU and latency are measured without them).
 */
export async function startStreamConsumers(dataDir: string): Promise<Pick<TableStream, 'stop' | 'settled'>> {
  if (process.env.STREAM_CONSUMERS === 'off') return { stop: async () => undefined, settled: async () => undefined };
  enforceTablePermissions(table().client);
  const webhooks = startLocalWebhooks(processDeliveryDeps(), { onError: (error) => console.error('webhook dispatcher:', error) });
  const stream = await startTableStream({
    table: table(),
    consumers: streamConsumers(webhooks),
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
