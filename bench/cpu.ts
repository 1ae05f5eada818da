import type { Table } from '#lib/platform/dynamodb.js';
import { floorFor } from './latency.js';
import { httpCall, inProcessCall, sendExpecting } from './operations.js';
import type { Operation } from './operations.js';
import { processTreeCpuMs } from './served.js';

/** CPU milliseconds per request of an operation, each measured over many requests sent one at a time. */
export interface OperationCpu {
  /** The handler in this process (`process.cpuUsage()`), as Lambda runs it. */
  readonly inProcess: number;
  /** Every process of `npm start` (from /proc), the request sent over HTTP from this process. */
  readonly served?: number;
  /** The floor's DynamoDB calls (the SDK's own CPU) and its signature, in this process. */
  readonly floor?: number;
}

/** This process's user and system CPU milliseconds so far. */
export const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU ms per request of `run`, which sends `count` requests, by `clock`. */
export async function perRequest(count: number, clock: () => Promise<number> | number, run: () => Promise<unknown>): Promise<number> {
  const before = await clock();
  await run();
  return ((await clock()) - before) / count;
}

/**
 * CPU per request, in-process, served and at the floor, each series of `count` requests prepared
 * beforehand (proofs signed, installations created) so that only the requests are counted.
 */
export async function measureCpu(operations: readonly Operation[], table: Table, options: { count: number; baseUrl: string; servedPid?: number }): Promise<Record<string, OperationCpu>> {
  const result: Record<string, OperationCpu> = {};
  for (const operation of operations) {
    const inProcess = await Promise.all((await operation.prepare(options.count)).map(inProcessCall));
    const served = await Promise.all((await operation.prepare(options.count)).map((request) => httpCall(options.baseUrl, request)));
    const floor = await floorFor(operation, table, `cpu-${operation.id}`);
    const { servedPid } = options;
    result[operation.id] = {
      inProcess: await perRequest(options.count, ownCpuMs, async () => {
        for (const call of inProcess) await sendExpecting(call);
      }),
      ...(servedPid === undefined
        ? {}
        : {
            served: await perRequest(options.count, () => processTreeCpuMs(servedPid), async () => {
              for (const call of served) await sendExpecting(call);
            }),
          }),
      ...(floor
        ? {
            floor: await perRequest(options.count, ownCpuMs, async () => {
              for (let iteration = 0; iteration < options.count; iteration += 1) await floor.run(iteration);
            }),
          }
        : {}),
    };
  }
  return result;
}
