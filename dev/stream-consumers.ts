import { join } from 'node:path';
import { table } from '#lib/platform/dynamodb.js';
import { handler as insightsStream } from '#functions/insights-stream/index.js';
import { asFunction, enforceTablePermissions } from './table-permissions.js';
import { startTableStream } from './table-stream.js';
import type { StreamConsumer, TableStream } from './table-stream.js';

/**
 * The consumers of the table's change stream, as `npm start` runs them: each behind its own position,
 * as its event source mapping is on AWS, and within its function's IAM grant (dev/table-permissions.ts).
 */
export function streamConsumers(): StreamConsumer[] {
  enforceTablePermissions(table().client);
  return [{ name: 'insights-stream', handle: async (event) => (await asFunction('insights-stream', () => insightsStream(event))) ?? undefined }];
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
    consumers: streamConsumers(),
    checkpointFile: join(dataDir, 'stream-checkpoints.json'),
    onError: (consumer, error) => console.error(`stream consumer ${consumer} failed; its batch is retried:`, error),
  });
}
