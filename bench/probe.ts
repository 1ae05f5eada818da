/**
 * The probe: the service as a user runs it (`npm start`, another process) against the contract's
 * minimum floor (`minimumFloorOf`: GetItem and a 2-item TransactWriteItems, low-level client, no
 * signature), driven from this process. Heartbeats come from fleets of installations that each stay
 * within the contract's 20 proofs per 600 s (an activation, a first heartbeat, then 15 re-served:
 * `heartbeatReserved`); an activation is a new installation's. Every proof is signed before its clock
 * starts, and the served requests and the floor alternate sample by sample.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';
import { ownCpuMs, perRequest } from './cpu.js';
import type { Floor } from './floor.js';
import { minimumFloorFor } from './latency.js';
import { httpCall, sendExpecting } from './operations.js';
import type { Operation, OperationId, OperationRequest } from './operations.js';
import { processTreeCpuMs } from './served.js';
import { percentile, spread } from './stats.js';
import type { Spread } from './stats.js';

/** The probe's subjects: what an installation waits on, by the operation that makes it. */
export const probeSubjects = { heartbeat: 'heartbeatReserved', activation: 'activation' } as const satisfies Record<string, OperationId>;
export type ProbeSubject = keyof typeof probeSubjects;

export interface ProbePair {
  /** p50 (ms) over HTTP to `npm start`, and of the minimum floor, run by run. */
  readonly p50: Spread;
  readonly floorP50: Spread;
  /** p50 over the floor's p50, run by run. */
  readonly ratio: Spread;
  readonly floorCalls: readonly string[];
}

export interface ProbeLatencyOptions {
  readonly runs: number;
  readonly perRun: number;
  readonly warmup: number;
  readonly baseUrl: string;
}

const subjectIds = Object.keys(probeSubjects) as ProbeSubject[];

function operationOf(operations: readonly Operation[], subject: ProbeSubject): Operation {
  const found = operations.find((operation) => operation.id === probeSubjects[subject]);
  if (!found) throw new TypeError(`no operation ${probeSubjects[subject]}`);
  return found;
}

/** A served request timed from after its proof is signed to its answer. */
async function timedHttp(baseUrl: string, request: OperationRequest): Promise<number> {
  const call = await httpCall(baseUrl, request);
  const started = performance.now();
  await sendExpecting(call);
  return performance.now() - started;
}

async function timedFloor(floor: Floor, iteration: number): Promise<number> {
  const started = performance.now();
  await floor.run(iteration);
  return performance.now() - started;
}

/** p50 of heartbeats and activations through `npm start` against their minimum floors, interleaved sample by sample. */
export async function probeLatency(
  operations: readonly Operation[],
  table: Table,
  client: DynamoDBClient,
  options: ProbeLatencyOptions,
): Promise<Record<ProbeSubject, ProbePair>> {
  const floors = new Map<ProbeSubject, Floor>();
  for (const subject of subjectIds) floors.set(subject, await minimumFloorFor(operationOf(operations, subject), table, client, `probe-${subject}`));
  // Warm-up of both series: DynamoDB Local's JIT answers its first few hundred calls slower.
  for (const subject of subjectIds) {
    for (const request of await operationOf(operations, subject).prepare(options.warmup)) await timedHttp(options.baseUrl, request);
    for (let iteration = 0; iteration < options.warmup; iteration += 1) await floors.get(subject)?.run(-1 - iteration);
  }
  const samples = new Map<string, number[]>();
  const record = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
  for (let run = 0; run < options.runs; run += 1) {
    const requests = new Map<ProbeSubject, OperationRequest[]>();
    for (const subject of subjectIds) requests.set(subject, await operationOf(operations, subject).prepare(options.perRun));
    const took = new Map<string, number[]>();
    const add = (key: string, value: number) => took.set(key, [...(took.get(key) ?? []), value]);
    for (let index = 0; index < options.perRun; index += 1) {
      const steps: [string, () => Promise<number>][] = subjectIds.flatMap((subject): [string, () => Promise<number>][] => [
        [`${subject}/http`, () => timedHttp(options.baseUrl, requests.get(subject)?.[index] as OperationRequest)],
        [`${subject}/floor`, () => timedFloor(floors.get(subject) as Floor, run * options.perRun + index)],
      ]);
      // A different series goes first each time: none always runs right after another's garbage.
      const shift = index % steps.length;
      for (const [key, step] of [...steps.slice(shift), ...steps.slice(0, shift)]) add(key, await step());
    }
    for (const [key, values] of took) record(key, percentile(values, 50));
  }
  return Object.fromEntries(
    subjectIds.map((subject) => {
      const http = samples.get(`${subject}/http`) ?? [];
      const floor = samples.get(`${subject}/floor`) ?? [];
      const pair: ProbePair = {
        p50: spread(http),
        floorP50: spread(floor),
        ratio: spread(http.map((value, run) => value / (floor[run] ?? Number.NaN))),
        floorCalls: floors.get(subject)?.calls ?? [],
      };
      return [subject, pair];
    }),
  ) as Record<ProbeSubject, ProbePair>;
}

/** CPU rounds, alternating served and floor, so that a busy spell of the shared machine lands on both alike. */
const cpuRounds = 5;

/**
 * CPU ms per heartbeat, one at a time, in `cpuRounds` rounds that alternate the two sides: every process
 * of `npm start` (from /proc) over heartbeats whose proofs were signed beforehand, then this process over
 * as many iterations of the minimum floor. The ratio is taken round by round.
 */
export async function probeCpu(
  operations: readonly Operation[],
  table: Table,
  client: DynamoDBClient,
  options: { count: number; baseUrl: string; servedPid: number },
): Promise<{ served: Spread; floor: Spread; ratio: Spread }> {
  const operation = operationOf(operations, 'heartbeat');
  const floor = await minimumFloorFor(operation, table, client, 'probe-cpu');
  const perRound = Math.ceil(options.count / cpuRounds);
  const rounds: { served: number; floor: number }[] = [];
  for (let round = 0; round < cpuRounds; round += 1) {
    const calls = await Promise.all((await operation.prepare(perRound)).map((request) => httpCall(options.baseUrl, request)));
    const served = await perRequest(perRound, () => processTreeCpuMs(options.servedPid), async () => {
      for (const call of calls) await sendExpecting(call);
    });
    const floorCpu = await perRequest(perRound, ownCpuMs, async () => {
      for (let iteration = 0; iteration < perRound; iteration += 1) await floor.run(round * perRound + iteration);
    });
    rounds.push({ served, floor: floorCpu });
  }
  return {
    served: spread(rounds.map((round) => round.served)),
    floor: spread(rounds.map((round) => round.floor)),
    ratio: spread(rounds.map((round) => round.served / round.floor)),
  };
}
