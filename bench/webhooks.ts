import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpCall, inProcessCall, sendExpecting } from './operations.js';
import type { ReadyCall } from './operations.js';
import type { Operation, OperationId } from './operations.js';
import { processTreeCpuMs } from './served.js';
import { percentile, spread } from './stats.js';
import type { Spread } from './stats.js';

/**
 * Events out beside the request path: activation and heartbeat without a webhook endpoint and with three
 * vendor-wide endpoints subscribed to every event, alternated round by round so that a busy moment of a shared
 * machine lands on both; and the time from an event's commit to the first attempt of its delivery. Each
 * operation twice: its handler in this process, as a Lambda function runs it (the dispatcher, as on AWS, runs
 * elsewhere: in `npm start`, which reads the same table's stream), and over HTTP through `npm start`, whose one
 * process also runs the dispatcher and its deliveries (the local stand-in of a function of their own).
 */

export interface ImpactFigures {
  /** Milliseconds, one request at a time: the median round's p50, and the best and worst rounds'. */
  readonly handlerP50Ms: Spread;
  /** CPU of the handler per request (`process.cpuUsage()` of this process): what the request path costs. */
  readonly handlerCpuMs: Spread;
  readonly servedP50Ms: Spread;
  /** Every process of `npm start`, the dispatcher and its deliveries included, per request. */
  readonly servedCpuMs: Spread;
}

export interface WebhookImpact {
  readonly endpoints: number;
  readonly requestsPerRound: number;
  readonly rounds: number;
  readonly without: Record<string, ImpactFigures>;
  readonly with: Record<string, ImpactFigures>;
  /** From an event's `createdAt` (the commit) to its first delivery attempt's arrival at the receiver. */
  readonly commitToFirstAttemptMs: { readonly p50: number; readonly p99: number; readonly count: number };
}

const measured: readonly OperationId[] = ['activation', 'heartbeat'];

/** A receiver on 127.0.0.1 answering 204 at once, noting when each event's first attempt arrived. */
async function startReceiver(arrivals: Map<string, number>) {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      if (!arrivals.has(id)) arrivals.set(id, Date.now());
      void body;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
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

export async function measureWebhookImpact(
  operations: readonly Operation[],
  options: { baseUrl: string; servedPid: number; opsApiKey: string; requests: number; rounds: number },
): Promise<WebhookImpact> {
  const arrivals = new Map<string, number>();
  const receiver = await startReceiver(arrivals);
  const endpointIds: string[] = [];
  const samples: { without: Samples; with: Samples } = { without: new Map(), with: new Map() };
  const committed = new Map<string, number>();
  try {
    for (let index = 0; index < options.rounds * 2; index += 1) {
      const subscribed = index % 2 === 1;
      if (subscribed && endpointIds.length === 0) {
        for (let count = 0; count < 3; count += 1) {
          const created = await opsCall(options.baseUrl, options.opsApiKey, 'POST', '/v1/webhook-endpoints', { url: receiver.url, description: `bench ${count + 1}` });
          endpointIds.push(String((created.endpoint as { id: string }).id));
        }
      }
      if (!subscribed && endpointIds.length > 0) {
        for (const id of endpointIds.splice(0)) await opsCall(options.baseUrl, options.opsApiKey, 'DELETE', `/v1/webhook-endpoints/${id}`);
      }
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
        if (subscribed && id === 'activation') {
          // The activation's event, as the license's feed lists it: its id and commit time.
          for (const body of [...handler.bodies, ...served.bodies]) {
            const { activation } = JSON.parse(body) as { activation: { licenseId: string; installationId: string } };
            const events = await opsCall(options.baseUrl, options.opsApiKey, 'GET', `/v1/admin/licenses/${activation.licenseId}/events?limit=100`);
            for (const event of events.items as { id: string; type: string; createdAt: string; installationId?: string }[]) {
              if (event.type === 'activation.created' && event.installationId === activation.installationId) committed.set(event.id, Date.parse(event.createdAt));
            }
          }
        }
      }
    }
    // Every delivery arrives within seconds: wait for the last ones.
    const deadline = Date.now() + 30_000;
    while ([...committed.keys()].some((id) => !arrivals.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    for (const id of endpointIds) await opsCall(options.baseUrl, options.opsApiKey, 'DELETE', `/v1/webhook-endpoints/${id}`);
    await receiver.close();
  }
  const delays = [...committed].flatMap(([id, at]) => (arrivals.has(id) ? [(arrivals.get(id) as number) - at] : []));
  const figures = (series: Samples) =>
    Object.fromEntries(
      [...series].map(([id, entry]) => [id, { handlerP50Ms: spread(entry.handlerP50), handlerCpuMs: spread(entry.handlerCpu), servedP50Ms: spread(entry.servedP50), servedCpuMs: spread(entry.servedCpu) }]),
    );
  return {
    endpoints: 3,
    requestsPerRound: options.requests,
    rounds: options.rounds,
    without: figures(samples.without),
    with: figures(samples.with),
    commitToFirstAttemptMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), count: delays.length },
  };
}
