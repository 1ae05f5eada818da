import { fc, it as property } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { rebuildInsights } from '#lib/insights/rebuild.js';
import { streamConsumers } from '#dev/stream-consumers.js';
import type { StreamConsumer } from '#dev/table-stream.js';
import { derivedFigures, historyStep, playHistory, startInsightsStream } from '../../support/insights.js';

// The consumer keeps the figures incrementally, from a stream that delivers at least once; the rebuild
// recomputes them from the table. On any history they must be equal. This consumer crashes after
// applying each batch the first time it is delivered, so every record is applied twice.
const [insights] = (await streamConsumers()) as [StreamConsumer];
const delivered = new Set<string>();
const crashing: StreamConsumer = {
  name: 'insights-crashing',
  handle: async (event) => {
    const answer = await insights.handle(event);
    const first = event.Records[0]?.dynamodb?.SequenceNumber ?? '';
    if (!delivered.has(first)) {
      delivered.add(first);
      throw new Error('the consumer crashed after applying the batch: it is delivered again');
    }
    return answer;
  },
};
const stream = await startInsightsStream([crashing]);

describe('insights rebuild', () => {
  // Shrinking would replay histories against a table that keeps growing: the first counterexample is reported as is.
  property.prop([fc.array(historyStep, { minLength: 15, maxLength: 40 })], { numRuns: 6, endOnFailure: true })(
    'recomputes from the table exactly what the consumer kept from the stream, every record delivered twice',
    async (steps) => {
      await playHistory(steps, new Date(Date.now() + 60_000));
      await stream.settled();
      const incremental = await derivedFigures();
      await rebuildInsights({ table: table(), catalog: catalog() });
      expect(await derivedFigures()).toEqual(incremental);
    },
    240_000,
  );
});
