import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rebuildInsights } from '#lib/insights/rebuild.js';
import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { streamConsumers } from '#dev/stream-consumers.js';
import { startTableStream } from '#dev/table-stream.js';
import type { InstallationUsageDay } from '@license-activation/contract/schemas';
import { call } from '../../support/api.js';
import { derivedFigures, playHistory } from '../../support/insights.js';
import type { HistoryStep } from '../../support/insights.js';
import { streamTestTable } from '../../support/table-stream.js';

// The consumer is stopped for an hour of the service's life (its records wait in the stream), then
// started again from its checkpoint, as after an outage of its Lambda function or of `npm start`.
const folder = await mkdtemp(join(tmpdir(), 'insights-catch-up-'));
const checkpointFile = join(folder, 'checkpoints.json');
afterAll(() => rm(folder, { recursive: true, force: true }));
const consumers = await streamConsumers();
await streamTestTable();
const start = () => startTableStream({ table: table(), consumers, checkpointFile, idleDelayMs: 100 });

describe('a consumer down for an hour', () => {
  it('catches up from its checkpoint, and its figures converge on the ones recomputed from the table', async () => {
    const before = await start();
    const t0 = new Date(Date.now() + 60_000);
    await playHistory([], t0);
    await before.settled();
    await before.stop();

    // An hour: heartbeats every minute from the two installations in use, status changes, a new trial.
    const minute: HistoryStep = { kind: 'wait', hours: 1 / 60 };
    const hour: HistoryStep[] = Array.from({ length: 60 }, (_, index): HistoryStep[] => [
      minute,
      { kind: 'heartbeat', installation: index % 2, activeUsers: (index * 7) % 13 },
      ...(index === 20 ? [{ kind: 'status', license: 1, action: 'suspend' } as const] : []),
      ...(index === 40 ? [{ kind: 'trial', installation: 4 } as const, { kind: 'status', license: 1, action: 'reinstate' } as const] : []),
    ]).flat();
    const played = await playHistory(hour, t0);
    const stillDown = await derivedFigures();

    const after = await start();
    await after.settled();
    await after.stop();
    const caughtUp = await derivedFigures();
    expect(caughtUp).not.toEqual(stillDown);
    await rebuildInsights({ table: table(), catalog: catalog() });
    expect(await derivedFigures()).toEqual(caughtUp);

    // The hour's 30 heartbeats of the first installation, each counted once, and its largest report.
    const days = new Set([t0, played.end].map((date) => date.toISOString().slice(0, 10)));
    const usage = await call<{ items: InstallationUsageDay[] }>('getInstallationUsage', {
      headers: { Authorization: `Bearer ${process.env.OPS_API_KEY}` },
      params: { installationId: played.installations[0] ?? '' },
      query: { from: [...days][0] ?? '', to: [...days].at(-1) ?? '' },
    });
    const reports = Array.from({ length: 60 }, (_, index) => index).filter((index) => index % 2 === 0).map((index) => (index * 7) % 13);
    expect(usage.body.items.reduce((sum, day) => sum + day.heartbeats, 0)).toBe(reports.length);
    expect(Math.max(...usage.body.items.map((day) => day.activeUsersPeak))).toBe(Math.max(...reports));
    // An hour of records played and applied: about 10 s alone, more beside the whole suite.
  }, 120_000);
});
