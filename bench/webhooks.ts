import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DispatcherCounts } from './dispatcher.js';
import { httpCall, inProcessCall, sendExpecting } from './operations.js';
import type { ReadyCall } from './operations.js';
import type { Operation, OperationId } from './operations.js';
import { processTreeCpuMs } from './served.js';
import { percentile, spread } from './stats.js';
import type { Spread } from './stats.js';

/**
 * Events out beside the request path, in two parts. First the request path: activation and heartbeat without a
 * webhook endpoint and with three vendor-wide endpoints subscribed to every event, alternated round by round so
 * that a busy moment of a shared machine lands on both; each operation's handler in this process, as a Lambda
 * function runs it, and over HTTP through `npm start`, which runs no stream consumer (STREAM_CONSUMERS=off): on
 * AWS the dispatcher is a function of its own, so neither it nor its deliveries share the request's process
 * or its DynamoDB client. Then the dispatcher itself, in a process of its own on the same table
 * (bench/dispatcher.ts): activations with the three endpoints subscribed, the time from each event's commit to
 * its first attempt's arrival, and the DynamoDB calls and CPU the dispatcher spends per event and per delivery.
 */

export interface ImpactFigures {
  /** Milliseconds, one request at a time: the median round's p50, and the best and worst rounds'. */
  readonly handlerP50Ms: Spread;
  /** CPU of the handler per request (`process.cpuUsage()` of this process): what the request path costs. */
  readonly handlerCpuMs: Spread;
  readonly servedP50Ms: Spread;
  /** Every process of `npm start` (which runs no stream consumer here), per request. */
  readonly servedCpuMs: Spread;
}

/** What the dispatcher spent on what it dispatched and delivered (every attempt succeeded at once). */
export interface DispatcherCost {
  readonly events: number;
  readonly deliveries: number;
  /** DynamoDB calls by command, per event (each with its deliveries). */
  readonly callsPerEvent: Record<string, number>;
  readonly cpuMsPerEvent: number;
}

export interface WebhookImpact {
  readonly endpoints: number;
  readonly requestsPerRound: number;
  readonly rounds: number;
  readonly without: Record<string, ImpactFigures>;
  readonly with: Record<string, ImpactFigures>;
  /** From an event's `createdAt` (the commit) to its first delivery attempt's arrival at the receiver. */
  readonly commitToFirstAttemptMs: { readonly p50: number; readonly p99: number; readonly count: number };
  readonly dispatcher: DispatcherCost;
}

/** The table's stream consumers in a process of their own (bench/dispatcher.ts), once they have caught up with the stream. */
async function startDispatcher(): Promise<{ stop(): Promise<DispatcherCounts> }> {
  // The bench's environment turns the consumers off for `npm start`; here they are what runs.
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.STREAM_CONSUMERS;
  const child = fork(fileURLToPath(new URL('./dispatcher.ts', import.meta.url)), [], {
    execArgv: ['--conditions=@license-activation/source', '--import', 'tsx'],
    // Deliveries go to the receiver on 127.0.0.1, as under `npm start`; log lines are not shown.
    env: { ...environment, WEBHOOK_LOCAL_TARGETS: 'allow' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bench dispatcher exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (message: T) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  await next<'ready'>();
  return {
    stop: async () => {
      const counts = next<DispatcherCounts>();
      child.send('stop');
      return counts;
    },
  };
}

const measured: readonly OperationId[] = ['activation', 'heartbeat'];

/** A receiver on 127.0.0.1 answering 204 at once, noting when each event's first attempt arrived, and counting every attempt. */
async function startReceiver(arrivals: Map<string, number>) {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      const id = String(request.headers['webhook-id']);
      if (!arrivals.has(id)) arrivals.set(id, Date.now());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function opsCall(baseUrl: string, opsApiKey: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${opsApiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${await answer.text()}`);
  return answer.status === 204 ? {} : ((await answer.json()) as Record<string, unknown>);
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Sends the calls one at a time: their p50, the CPU `clock` counted per call, and the answers. */
async function timed(calls: readonly ReadyCall[], clock: () => Promise<number> | number): Promise<{ p50: number; cpuMs: number; bodies: string[] }> {
  const took: number[] = [];
  const bodies: string[] = [];
  const cpuBefore = await clock();
  for (const call of calls) {
    const started = performance.now();
    bodies.push(await sendExpecting(call));
    took.push(performance.now() - started);
  }
  return { p50: percentile(took, 50), cpuMs: ((await clock()) - cpuBefore) / calls.length, bodies };
}

/** One round of one operation: in-process, then served. */
async function round(operation: Operation, baseUrl: string, servedPid: number, requests: number) {
  const handler = await timed(await Promise.all((await operation.prepare(requests)).map(inProcessCall)), ownCpuMs);
  const served = await timed(await Promise.all((await operation.prepare(requests)).map((request) => httpCall(baseUrl, request))), () => processTreeCpuMs(servedPid));
  return { handler, served };
}

type Samples = Map<string, { handlerP50: number[]; handlerCpu: number[]; servedP50: number[]; servedCpu: number[] }>;

const endpointCount = 3;

async function addEndpoints(options: { baseUrl: string; opsApiKey: string }, url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let count = 0; count < endpointCount; count += 1) {
    const created = await opsCall(options.baseUrl, options.opsApiKey, 'POST', '/v1/webhook-endpoints', { url, description: `bench ${count + 1}` });
    ids.push(String((created.endpoint as { id: string }).id));
  }
  return ids;
}

async function deleteEndpoints(options: { baseUrl: string; opsApiKey: string }, ids: string[]): Promise<void> {
  for (const id of ids.splice(0)) await opsCall(options.baseUrl, options.opsApiKey, 'DELETE', `/v1/webhook-endpoints/${id}`);
}

/** The request path without and with endpoints, no dispatcher running anywhere. */
async function requestPath(operations: readonly Operation[], options: { baseUrl: string; servedPid: number; opsApiKey: string; requests: number; rounds: number }, url: string) {
  const endpointIds: string[] = [];
  const samples: { without: Samples; with: Samples } = { without: new Map(), with: new Map() };
  try {
    for (let index = 0; index < options.rounds * 2; index += 1) {
      const subscribed = index % 2 === 1;
      if (subscribed && endpointIds.length === 0) endpointIds.push(...(await addEndpoints(options, url)));
      if (!subscribed) await deleteEndpoints(options, endpointIds);
      const series = subscribed ? samples.with : samples.without;
      for (const id of measured) {
        const operation = operations.find((candidate) => candidate.id === id);
        if (!operation) throw new TypeError(`no operation ${id}`);
        const { handler, served } = await round(operation, options.baseUrl, options.servedPid, options.requests);
        const entry = series.get(id) ?? { handlerP50: [], handlerCpu: [], servedP50: [], servedCpu: [] };
        entry.handlerP50.push(handler.p50);
        entry.handlerCpu.push(handler.cpuMs);
        entry.servedP50.push(served.p50);
        entry.servedCpu.push(served.cpuMs);
        series.set(id, entry);
      }
    }
  } finally {
    await deleteEndpoints(options, endpointIds);
  }
  const figures = (series: Samples) =>
    Object.fromEntries(
      [...series].map(([id, entry]) => [id, { handlerP50Ms: spread(entry.handlerP50), handlerCpuMs: spread(entry.handlerCpu), servedP50Ms: spread(entry.servedP50), servedCpuMs: spread(entry.servedCpu) }]),
    );
  return { without: figures(samples.without), with: figures(samples.with) };
}

/**
 * The dispatcher, in its own process, with the endpoints subscribed: `requests` activations over HTTP, one at
 * a time, each event's commit (its `createdAt`, as the license's feed lists it) to its first attempt's
 * arrival, and what the dispatcher spent.
 */
async function dispatching(operations: readonly Operation[], options: { baseUrl: string; opsApiKey: string; requests: number }, receiver: Awaited<ReturnType<typeof startReceiver>>, arrivals: Map<string, number>) {
  const activation = operations.find((candidate) => candidate.id === 'activation');
  if (!activation) throw new TypeError('no activation operation');
  const calls = await Promise.all((await activation.prepare(options.requests)).map((request) => httpCall(options.baseUrl, request)));
  const endpointIds: string[] = [];
  const committed = new Map<string, number>();
  const receivedBefore = receiver.received();
  const dispatcher = await startDispatcher();
  let counts: DispatcherCounts | undefined;
  try {
    endpointIds.push(...(await addEndpoints(options, receiver.url)));
    for (const call of calls) {
      const { activation: activated } = JSON.parse(await sendExpecting(call)) as { activation: { licenseId: string; installationId: string } };
      const events = await opsCall(options.baseUrl, options.opsApiKey, 'GET', `/v1/admin/licenses/${activated.licenseId}/events?limit=100`);
      for (const event of events.items as { id: string; type: string; createdAt: string; installationId?: string }[]) {
        if (event.type === 'activation.created' && event.installationId === activated.installationId) committed.set(event.id, Date.parse(event.createdAt));
      }
    }
    // Every delivery arrives within seconds: wait for the last ones.
    const deadline = Date.now() + 30_000;
    while ([...committed.keys()].some((id) => !arrivals.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await deleteEndpoints(options, endpointIds);
    counts = await dispatcher.stop();
  }
  const delays = [...committed].flatMap(([id, at]) => (arrivals.has(id) ? [(arrivals.get(id) as number) - at] : []));
  const deliveries = receiver.received() - receivedBefore;
  // Every attempt succeeded at once, each event reaching every endpoint: its deliveries are the endpoints'.
  const events = deliveries / endpointCount;
  const perEvent = (value: number) => (events > 0 ? value / events : Number.NaN);
  return {
    commitToFirstAttemptMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), count: delays.length },
    dispatcher: {
      events,
      deliveries,
      callsPerEvent: Object.fromEntries(Object.entries(counts.calls).map(([command, count]) => [command, perEvent(count)])),
      cpuMsPerEvent: perEvent(counts.cpuMs),
    },
  };
}

export async function measureWebhookImpact(
  operations: readonly Operation[],
  options: { baseUrl: string; servedPid: number; opsApiKey: string; requests: number; rounds: number },
): Promise<WebhookImpact> {
  const arrivals = new Map<string, number>();
  const receiver = await startReceiver(arrivals);
  try {
    const path = await requestPath(operations, options, receiver.url);
    const { commitToFirstAttemptMs, dispatcher } = await dispatching(operations, options, receiver, arrivals);
    return { endpoints: endpointCount, requestsPerRound: options.requests, rounds: options.rounds, ...path, commitToFirstAttemptMs, dispatcher };
  } finally {
    await receiver.close();
  }
}
