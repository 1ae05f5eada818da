import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';
import { floorOf, minimumFloorOf, recordCalls } from './floor.js';
import type { Floor, RecordedCall } from './floor.js';
import { httpCall, inProcessCall, sendExpecting } from './operations.js';
import type { Operation, OperationId, ReadyCall } from './operations.js';
import { percentile, shuffled, spread } from './stats.js';
import type { Spread } from './stats.js';

export interface LatencyOptions {
  readonly runs: number;
  /** Requests per run: each run gives one p50 and one p99. */
  readonly perRun: number;
  readonly warmup: number;
  readonly baseUrl: string;
}

/** Milliseconds, over the runs: the median run's percentile, and the best and worst runs'. */
export interface Percentiles {
  readonly p50: Spread;
  readonly p99: Spread;
}

export interface OperationLatency {
  readonly inProcess: Percentiles;
  readonly http: Percentiles;
  /** Absent where the operation makes no DynamoDB call and signs nothing (JWKS): there is no floor to compare with. */
  readonly floor?: Percentiles & { readonly calls: readonly string[] };
  /** In-process p50 over floor p50, run by run. */
  readonly overhead?: Spread;
  /** HTTP (the served `npm start`, from this process) p50 over floor p50, run by run. */
  readonly httpOverhead?: Spread;
}

type Mode = 'inProcess' | 'http' | 'floor';

async function readyCalls(operation: Operation, mode: 'inProcess' | 'http', count: number, baseUrl: string): Promise<ReadyCall[]> {
  const requests = await operation.prepare(count);
  return Promise.all(requests.map((request) => (mode === 'inProcess' ? inProcessCall(request) : httpCall(baseUrl, request))));
}

/** The bytes a token's signature covers (`header.payload`), when the answer carries a token. */
function signingInputBytes(body: string): number | undefined {
  const { token } = JSON.parse(body) as { token?: unknown };
  return typeof token === 'string' ? token.lastIndexOf('.') : undefined;
}

/** One call of the operation in-process, its DynamoDB calls recorded. */
async function recordedCall(operation: Operation, table: Table): Promise<{ calls: readonly RecordedCall[]; body: string }> {
  const [request] = await operation.prepare(1);
  if (!request) throw new TypeError(`${operation.id} prepared no request`);
  const call = await inProcessCall(request);
  const recorder = recordCalls(table);
  try {
    return { calls: recorder.calls, body: await sendExpecting(call) };
  } finally {
    recorder.stop();
  }
}

/** One call of the operation, recorded, and the floor that repeats its DynamoDB calls and signature. */
export async function floorFor(operation: Operation, table: Table, runId: string): Promise<Floor | undefined> {
  const { calls, body } = await recordedCall(operation, table);
  const bytes = signingInputBytes(body);
  if (calls.length === 0 && bytes === undefined) return undefined;
  return floorOf(table, calls, { runId, signingInputBytes: bytes });
}

/** One call of the operation, recorded, and the least the contract implies for it (floor.ts). */
export async function minimumFloorFor(operation: Operation, table: Table, client: DynamoDBClient, runId: string): Promise<Floor> {
  return minimumFloorOf(table, client, (await recordedCall(operation, table)).calls, { runId });
}

/**
 * p50 and p99 of each operation in-process, over HTTP to the served service and at its floor. Each run takes the
 * operations in a new random order and, within an operation, alternates the three series request by
 * request, so that a busy moment of a shared machine lands on all three alike and the overhead (taken
 * within each run) compares like with like.
 */
export async function measureLatency(operations: readonly Operation[], table: Table, options: LatencyOptions): Promise<Record<string, OperationLatency>> {
  for (const operation of operations) {
    for (const mode of ['inProcess', 'http'] as const) {
      for (const call of await readyCalls(operation, mode, options.warmup, options.baseUrl)) await sendExpecting(call);
    }
  }
  const floors = new Map<OperationId, Floor | undefined>();
  for (const operation of operations) floors.set(operation.id, await floorFor(operation, table, operation.id));
  // The floors warm up too: DynamoDB Local's JIT answers its first few hundred calls slower.
  for (const floor of floors.values()) for (let iteration = 0; iteration < options.warmup; iteration += 1) await floor?.run(-1 - iteration);

  const samples = new Map<string, { p50: number; p99: number }[]>();
  const record = (key: string, took: readonly number[]) => samples.set(key, [...(samples.get(key) ?? []), { p50: percentile(took, 50), p99: percentile(took, 99) }]);
  for (let run = 0; run < options.runs; run += 1) {
    for (const operation of shuffled(operations)) {
      const floor = floors.get(operation.id);
      const inProcess = await readyCalls(operation, 'inProcess', options.perRun, options.baseUrl);
      const http = await readyCalls(operation, 'http', options.perRun, options.baseUrl);
      const took = new Map<Mode, number[]>([['inProcess', []], ['http', []], ['floor', []]]);
      for (let index = 0; index < options.perRun; index += 1) {
        const steps: [Mode, () => Promise<unknown>][] = [
          ['inProcess', () => sendExpecting(inProcess[index] as ReadyCall)],
          ['http', () => sendExpecting(http[index] as ReadyCall)],
          ...(floor ? [['floor', () => floor.run(run * options.perRun + index)] as [Mode, () => Promise<unknown>]] : []),
        ];
        // A different series goes first each time: none always runs right after another's garbage.
        for (const [mode, step] of [...steps.slice(index % steps.length), ...steps.slice(0, index % steps.length)]) {
          const started = performance.now();
          await step();
          took.get(mode)?.push(performance.now() - started);
        }
      }
      for (const [mode, values] of took) if (values.length > 0) record(`${operation.id}/${mode}`, values);
    }
  }

  const percentiles = (key: string): Percentiles => {
    const runs = samples.get(key) ?? [];
    return { p50: spread(runs.map((run) => run.p50)), p99: spread(runs.map((run) => run.p99)) };
  };
  return Object.fromEntries(
    operations.map((operation) => {
      const floor = floors.get(operation.id);
      const inProcess = samples.get(`${operation.id}/inProcess`) ?? [];
      const floorRuns = samples.get(`${operation.id}/floor`) ?? [];
      const http = samples.get(`${operation.id}/http`) ?? [];
      const overFloor = (runs: readonly { p50: number }[]) => spread(runs.map((run, index) => run.p50 / (floorRuns[index]?.p50 ?? Number.NaN)));
      const latency: OperationLatency = {
        inProcess: percentiles(`${operation.id}/inProcess`),
        http: percentiles(`${operation.id}/http`),
        ...(floor
          ? {
              floor: { ...percentiles(`${operation.id}/floor`), calls: floor.calls },
              overhead: overFloor(inProcess),
              httpOverhead: overFloor(http),
            }
          : {}),
      };
      return [operation.id, latency];
    }),
  );
}
