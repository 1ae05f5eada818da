/**
 * The table's change stream, read locally the way a Lambda event source mapping reads it on AWS:
 * every consumer gets the stream's records in order, in batches shaped like Lambda's
 * `DynamoDBStreamEvent`, keeps its own position (checkpointed after each batch it finishes), and a
 * batch that fails is retried from its first failed record until it succeeds, so that no record is
 * skipped. DynamoDB Local implements the Streams API, so `npm start` and the tests run the stream
 * consumers' real code on the real emulator.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, ExpiredIteratorException, GetRecordsCommand, GetShardIteratorCommand, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import type { _Record as StreamRecord, Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Table } from '#lib/platform/dynamodb.js';

/** A stream consumer: what a Lambda function behind an event source mapping is on AWS. */
export interface StreamConsumer {
  /** Names the consumer's position in the checkpoint file. */
  readonly name: string;
  /**
   * Handles one batch. Throwing retries the whole batch; answering `batchItemFailures` (Lambda's
   * `ReportBatchItemFailures`) retries from the first failed record on.
   */
  readonly handle: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
}

export interface TableStreamOptions {
  readonly table: Table;
  readonly consumers: readonly StreamConsumer[];
  /** Where positions survive a restart (`npm start`: under `$DATA_DIR`); without it a consumer starts at the stream's oldest record. */
  readonly checkpointFile?: string;
  /** Pause between polls that found nothing new. */
  readonly idleDelayMs?: number;
  /** At most this many records per batch (Lambda's default for DynamoDB streams: 100). */
  readonly batchSize?: number;
  /** Told about each failed batch before it is retried. */
  readonly onError?: (consumer: string, error: unknown) => void;
}

export interface TableStream {
  /**
   * Resolves once every consumer has handled every record committed before the call (each has
   * polled to the end of the stream since): what a test awaits before it checks a consumer's effects.
   */
  settled(): Promise<void>;
  /** Stops polling after the batches in hand; positions are already saved. */
  stop(): Promise<void>;
}

type Positions = Record<string, Record<string, string>>;

const defaultIdleDelayMs = 200;
const defaultBatchSize = 100;
const maxRetryDelayMs = 5_000;

function credentialsOf(table: Table) {
  return table.client.config.credentials;
}

async function streamArnOf(table: Table): Promise<string> {
  const { Table: described } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
  const arn = described?.LatestStreamArn;
  if (!arn || described.StreamSpecification?.StreamEnabled !== true) throw new TypeError(`table ${table.name} has no stream enabled`);
  return arn;
}

async function readPositions(file: string | undefined): Promise<Positions> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Positions;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/** Lambda's JSON form of a stream record: epoch seconds for the creation time, base64 for binary values. */
function asLambdaRecord(record: StreamRecord): DynamoDBRecord {
  const json = JSON.stringify(record, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
  const lambdaRecord = JSON.parse(json) as DynamoDBRecord;
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (lambdaRecord.dynamodb && created) lambdaRecord.dynamodb.ApproximateCreationDateTime = Math.floor(created.getTime() / 1000);
  return lambdaRecord;
}

/** The records of a batch that count as handled: all, or those before the first one reported failed. */
function handledCount(records: readonly DynamoDBRecord[], response: DynamoDBBatchResponse | void): number {
  const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  if (failed.size === 0) return records.length;
  const first = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
  return first === -1 ? records.length : first;
}

/** Parents first: a shard's records come after its parent's (DynamoDB's lineage rule). */
function inLineageOrder(shards: readonly Shard[]): Shard[] {
  const ids = new Set(shards.map((shard) => shard.ShardId));
  const ordered: Shard[] = [];
  const placed = new Set<string | undefined>();
  let pending = [...shards];
  while (pending.length > 0) {
    const ready = pending.filter((shard) => !shard.ParentShardId || !ids.has(shard.ParentShardId) || placed.has(shard.ParentShardId));
    if (ready.length === 0) return [...ordered, ...pending];
    for (const shard of ready) placed.add(shard.ShardId);
    ordered.push(...ready);
    pending = pending.filter((shard) => !placed.has(shard.ShardId));
  }
  return ordered;
}

/**
 * Starts reading the table's stream for the consumers. The table must have its stream enabled
 * (`ensureTable` does so); each consumer reads independently of the others, as separate event
 * source mappings do.
 */
export async function startTableStream(options: TableStreamOptions): Promise<TableStream> {
  const { table, consumers, checkpointFile } = options;
  const idleDelayMs = options.idleDelayMs ?? defaultIdleDelayMs;
  const batchSize = options.batchSize ?? defaultBatchSize;
  const streamArn = await streamArnOf(table);
  const endpoint = await table.client.config.endpoint?.();
  const streams = new DynamoDBStreamsClient({
    region: await table.client.config.region(),
    credentials: credentialsOf(table),
    ...(endpoint ? { endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}${endpoint.path}` } : {}),
  });
  const positions = await readPositions(checkpointFile);
  const stopped = new AbortController();
  /** Per consumer: resolvers waiting for its next poll that reaches the end of the stream. */
  const waiting = new Map<string, Array<() => void>>(consumers.map((consumer) => [consumer.name, []]));
  let saving = Promise.resolve();

  const save = (): Promise<void> => {
    if (!checkpointFile) return Promise.resolve();
    const snapshot = JSON.stringify(positions);
    saving = saving.then(async () => {
      await writeFile(`${checkpointFile}.tmp`, snapshot, { mode: 0o600 });
      await rename(`${checkpointFile}.tmp`, checkpointFile);
    });
    return saving;
  };

  /**
   * Where a consumer reads a shard on: after its position, or from the oldest record kept. A position older
   * than that (the service stopped for longer than the stream keeps records, 24 hours) reads on from the oldest
   * record kept, as a Lambda event source mapping does: what was trimmed is gone from the stream, and the
   * consumers catch up from the table itself (the webhook sweep, the insights rebuild).
   */
  async function iteratorFor(consumer: string, shardId: string): Promise<string | undefined> {
    const after = positions[consumer]?.[shardId];
    const position = after ? ({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } as const) : ({ ShardIteratorType: 'TRIM_HORIZON' } as const);
    try {
      return (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...position }))).ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !after) throw error;
      delete positions[consumer]?.[shardId];
      return iteratorFor(consumer, shardId);
    }
  }

  /** Hands records to the consumer until it has taken them all; returns once it has, or when stopped. */
  async function deliver(consumer: StreamConsumer, shardId: string, records: DynamoDBRecord[]): Promise<void> {
    let remaining = records;
    for (let failures = 0; remaining.length > 0 && !stopped.signal.aborted; ) {
      let handled = 0;
      try {
        handled = handledCount(remaining, await consumer.handle({ Records: remaining }));
      } catch (error) {
        options.onError?.(consumer.name, error);
      }
      if (handled > 0) {
        const last = remaining[handled - 1]?.dynamodb?.SequenceNumber;
        if (last) (positions[consumer.name] ??= {})[shardId] = last;
        await save();
        remaining = remaining.slice(handled);
        failures = 0;
      } else {
        failures += 1;
        await delay(Math.min(maxRetryDelayMs, 100 * 2 ** failures), undefined, { signal: stopped.signal }).catch(() => undefined);
      }
    }
  }

  /** Reads one shard to its current end; `true` when the shard is closed and fully read. */
  async function readShard(consumer: StreamConsumer, shardId: string): Promise<boolean> {
    let iterator = await iteratorFor(consumer.name, shardId);
    while (iterator && !stopped.signal.aborted) {
      let page;
      try {
        page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
      } catch (error) {
        // Read again on the next poll with a fresh iterator. DynamoDB Local also answers a shard's first read
        // now and then as trimmed right after its stream was turned on; from the oldest record kept it reads on.
        if (error instanceof ExpiredIteratorException) return false;
        if (error instanceof TrimmedDataAccessException) {
          delete positions[consumer.name]?.[shardId];
          return false;
        }
        throw error;
      }
      const records = (page.Records ?? []).map(asLambdaRecord);
      if (records.length > 0) await deliver(consumer, shardId, records);
      if (records.length === 0) return page.NextShardIterator === undefined;
      iterator = page.NextShardIterator;
    }
    return iterator === undefined;
  }

  async function run(consumer: StreamConsumer): Promise<void> {
    const finishedShards = new Set<string>();
    while (!stopped.signal.aborted) {
      const waiters = waiting.get(consumer.name) ?? [];
      waiting.set(consumer.name, []);
      try {
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of inLineageOrder(StreamDescription?.Shards ?? [])) {
          const shardId = shard.ShardId;
          if (!shardId || finishedShards.has(shardId)) continue;
          if (await readShard(consumer, shardId)) finishedShards.add(shardId);
        }
        for (const settle of waiters) settle();
      } catch (error) {
        if (stopped.signal.aborted) break;
        options.onError?.(consumer.name, error);
        waiting.get(consumer.name)?.push(...waiters);
      }
      await delay(idleDelayMs, undefined, { signal: stopped.signal }).catch(() => undefined);
    }
  }

  const running = consumers.map((consumer) => run(consumer));
  return {
    async settled() {
      await Promise.all(consumers.map((consumer) => new Promise<void>((resolve) => waiting.get(consumer.name)?.push(resolve))));
    },
    async stop() {
      stopped.abort();
      for (const resolvers of waiting.values()) for (const settle of resolvers.splice(0)) settle();
      await Promise.all(running);
      await saving;
      streams.destroy();
    },
  };
}
