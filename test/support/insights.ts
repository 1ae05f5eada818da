import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { heartbeat } from '#lib/installations/heartbeat.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { writeTick } from '#lib/data/insights.js';
import { table } from '#lib/platform/dynamodb.js';
import { streamConsumers } from '#dev/stream-consumers.js';
import { startTableStream } from '#dev/table-stream.js';
import type { StreamConsumer, TableStream } from '#dev/table-stream.js';

/**
 * The insights consumer on this test file's table, as `npm start` runs it (dev/stream-consumers.ts),
 * stopped when the file ends. `settled()` waits until it has applied everything committed before.
 */
export async function startInsightsStream(consumers: StreamConsumer[] = streamConsumers()): Promise<TableStream> {
  const stream = await startTableStream({ table: table(), consumers, idleDelayMs: 20 });
  afterAll(() => stream.stop());
  return stream;
}

/** A heartbeat at an instant the test chooses, reporting `activeUsers`. */
export function heartbeatReporting(now: Date, installationId: string, activeUsers: number) {
  return heartbeat(installationDeps(), {
    proof: { kind: 'dpop', installation: { id: installationId, jti: randomUUID(), iat: Math.floor(now.getTime() / 1000) } },
    input: { version: '5.0.0', usage: { activeUsers } },
    now,
  });
}

/** Days pass with no write: the clock's tick, as the schedule writes it, at `at`. */
export const tickAt = (at: Date) => writeTick(table(), at);
