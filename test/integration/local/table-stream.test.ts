import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#lib/platform/config.js';
import { createTable } from '#lib/platform/dynamodb.js';
import { ensureTable } from '#dev/ensure-table.js';
import { startTableStream } from '#dev/table-stream.js';
import type { StreamConsumer, TableStream } from '#dev/table-stream.js';

const { dynamodbEndpoint, region, tableName } = config();
const table = createTable({ endpoint: dynamodbEndpoint, region, tableName: `${tableName}-stream` });
let folder: string;
const started: TableStream[] = [];

beforeAll(async () => {
  await ensureTable(table);
  folder = await mkdtemp(join(tmpdir(), 'table-stream-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((stream) => stream.stop()));
});
afterAll(async () => {
  table.client.destroy();
  await rm(folder, { recursive: true, force: true });
});

/** A consumer that keeps the keys of what it saw, in order, and fails whenever `fails` says so. */
function recorder(name: string, fails: (record: DynamoDBRecord, attempt: number) => boolean = () => false) {
  const seen: Array<{ event: string; pk: string; n?: number; oldN?: number }> = [];
  let attempt = 0;
  const consumer: StreamConsumer = {
    name,
    handle: async ({ Records }: DynamoDBStreamEvent) => {
      attempt += 1;
      const failed = Records.find((record) => fails(record, attempt));
      for (const record of Records) {
        if (record === failed) return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
        const image = record.dynamodb?.NewImage ?? record.dynamodb?.Keys;
        const item = unmarshall(image as Record<string, AttributeValue>);
        const old = record.dynamodb?.OldImage ? unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>) : undefined;
        seen.push({ event: record.eventName ?? '', pk: String(item.pk), ...(item.n === undefined ? {} : { n: Number(item.n) }), ...(old?.n === undefined ? {} : { oldN: Number(old.n) }) });
      }
    },
  };
  return { consumer, seen };
}

async function start(consumers: StreamConsumer[], checkpointFile?: string): Promise<TableStream> {
  const stream = await startTableStream({ table, consumers, idleDelayMs: 20, ...(checkpointFile ? { checkpointFile } : {}) });
  started.push(stream);
  return stream;
}

describe('startTableStream', () => {
  it("gives each consumer every change in commit order, with old and new images, a transaction's items included", async () => {
    const run = `order-${Date.now()}`;
    const first = recorder('first');
    const second = recorder('second');
    const stream = await start([first.consumer, second.consumer]);

    await table.client.send(new PutCommand({ TableName: table.name, Item: { pk: `${run}#a`, sk: 'x', n: 1 } }));
    await table.client.send(new UpdateCommand({ TableName: table.name, Key: { pk: `${run}#a`, sk: 'x' }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': 2 } }));
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: table.name, Item: { pk: `${run}#b`, sk: 'x', n: 3 } } }, { Delete: { TableName: table.name, Key: { pk: `${run}#a`, sk: 'x' } } }],
      }),
    );
    await stream.settled();

    const ours = (seen: typeof first.seen) => seen.filter((change) => change.pk.startsWith(run));
    expect(ours(first.seen)).toEqual([
      { event: 'INSERT', pk: `${run}#a`, n: 1 },
      { event: 'MODIFY', pk: `${run}#a`, n: 2, oldN: 1 },
      { event: 'INSERT', pk: `${run}#b`, n: 3 },
      { event: 'REMOVE', pk: `${run}#a`, oldN: 2 },
    ]);
    expect(ours(second.seen)).toEqual(ours(first.seen));
  });

  it('retries a failed batch from its first failed record, so that nothing is skipped and nothing before it is handled twice', async () => {
    const run = `retry-${Date.now()}`;
    const flaky = recorder('flaky', (record, attempt) => attempt <= 2 && JSON.stringify(record.dynamodb?.Keys).includes(`${run}#2`));
    const stream = await start([flaky.consumer]);

    for (const index of [1, 2, 3]) await table.client.send(new PutCommand({ TableName: table.name, Item: { pk: `${run}#${index}`, sk: 'x' } }));
    await stream.settled();

    expect(flaky.seen.filter((change) => change.pk.startsWith(run)).map((change) => change.pk)).toEqual([`${run}#1`, `${run}#2`, `${run}#3`]);
  });

  it('retries a batch whose handler throws until it succeeds', async () => {
    const run = `throws-${Date.now()}`;
    let calls = 0;
    const handled: string[] = [];
    const errors: unknown[] = [];
    const stream = await startTableStream({
      table,
      idleDelayMs: 20,
      onError: (_consumer, error) => errors.push(error),
      consumers: [
        {
          name: 'throws',
          handle: async ({ Records }) => {
            calls += 1;
            if (calls <= 2) throw new Error('the consumer is down');
            for (const record of Records) handled.push(String(record.dynamodb?.Keys?.pk?.S));
          },
        },
      ],
    });
    started.push(stream);

    await table.client.send(new PutCommand({ TableName: table.name, Item: { pk: `${run}#1`, sk: 'x' } }));
    await stream.settled();

    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(handled.filter((pk) => pk.startsWith(run))).toEqual([`${run}#1`]);
  });

  it('carries on after a restart from the checkpoint, without handing on again what was handled before it', async () => {
    const run = `restart-${Date.now()}`;
    const checkpointFile = join(folder, 'checkpoints.json');
    const before = recorder('restarting');
    const stream = await start([before.consumer], checkpointFile);
    await table.client.send(new PutCommand({ TableName: table.name, Item: { pk: `${run}#before`, sk: 'x' } }));
    await stream.settled();
    await stream.stop();

    await table.client.send(new PutCommand({ TableName: table.name, Item: { pk: `${run}#while-stopped`, sk: 'x' } }));
    const after = recorder('restarting');
    const restarted = await start([after.consumer], checkpointFile);
    await restarted.settled();

    expect(before.seen.filter((change) => change.pk.startsWith(run)).map((change) => change.pk)).toEqual([`${run}#before`]);
    expect(after.seen.map((change) => change.pk)).toEqual([`${run}#while-stopped`]);
    expect((await stat(checkpointFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses a table without a stream', async () => {
    const plain = createTable({ endpoint: dynamodbEndpoint, region, tableName: 'no-stream-here' });
    await expect(startTableStream({ table: plain, consumers: [] })).rejects.toThrow();
    plain.client.destroy();
  });
});

describe('a position the stream no longer keeps', () => {
  // DynamoDB Streams keeps records 24 hours: a checkpoint older than that is refused as trimmed, by GetShardIterator
  // or by GetRecords. DynamoDB Local cannot be made to trim on demand, so the stream's answers are played here.
  it.each(['GetShardIterator', 'GetRecords'] as const)('reads on from the oldest record kept when %s answers trimmed, as an event source mapping does', async (refusing) => {
    const streams = mockClient(DynamoDBStreamsClient);
    try {
      const trimmed = new TrimmedDataAccessException({ message: 'The operation attempted to read past the oldest stream record in a shard.', $metadata: {} });
      const kept = { eventName: 'INSERT' as const, dynamodb: { Keys: { pk: { S: 'kept' }, sk: { S: 'x' } }, NewImage: { pk: { S: 'kept' }, sk: { S: 'x' } }, SequenceNumber: '200' } };
      streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
      streams.on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' }).callsFake(async () => {
        if (refusing === 'GetShardIterator') throw trimmed;
        return { ShardIterator: 'after' };
      });
      streams.on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'oldest' });
      streams.on(GetRecordsCommand, { ShardIterator: 'after' }).rejects(trimmed);
      streams.on(GetRecordsCommand, { ShardIterator: 'oldest' }).resolvesOnce({ Records: [kept], NextShardIterator: 'end' }).resolves({ Records: [], NextShardIterator: 'end' });
      streams.on(GetRecordsCommand, { ShardIterator: 'end' }).resolves({ Records: [], NextShardIterator: 'end' });
      const checkpointFile = join(folder, `trimmed-${refusing}.json`);
      await writeFile(checkpointFile, JSON.stringify({ reader: { 'shard-1': '100' } }));
      const errors: unknown[] = [];
      const reader = recorder('reader');

      const stream = await startTableStream({ table, consumers: [reader.consumer], idleDelayMs: 20, checkpointFile, onError: (_consumer, error) => errors.push(error) });
      started.push(stream);
      await stream.settled();

      expect(errors).toEqual([]);
      expect(reader.seen).toEqual([{ event: 'INSERT', pk: 'kept' }]);
    } finally {
      streams.restore();
    }
  });
});
