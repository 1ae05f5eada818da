import autocannon from 'autocannon';
import type { LoadRequest } from './worker-protocol.js';

export interface ThroughputRun {
  /** Heartbeats answered 200, per second of the run. */
  readonly heartbeatsPerSecond: number;
  /** Connection errors, timeouts and answers other than 200. */
  readonly errors: number;
  readonly seconds: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

/**
 * Heartbeats at a fixed concurrency for a fixed time, each with its own pre-signed proof. It stops
 * early when the proofs run out (a proof used twice is refused), so that nothing is counted twice.
 */
export async function runHeartbeatLoad(
  baseUrl: string,
  requests: readonly LoadRequest[],
  options: { connections: number; seconds: number },
): Promise<ThroughputRun> {
  let next = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    amount: requests.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const heartbeat = requests[next] as LoadRequest;
          next += 1;
          return {
            ...request,
            path: heartbeat.path,
            body: heartbeat.body,
            headers: { 'content-type': 'application/json', 'user-agent': 'license-activation-bench', dpop: heartbeat.dpop },
          };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    heartbeatsPerSecond: ok / result.duration,
    errors: result.errors + result.timeouts + result.non2xx,
    seconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}

/** The floor's heartbeats per second at the same concurrency: each connection repeats its own floor (own item copies) for the time. */
export async function runFloorLoad(floors: readonly { run(iteration: number): Promise<void> }[], seconds: number): Promise<{ perSecond: number; iterations: number }> {
  const deadline = performance.now() + seconds * 1000;
  const done = await Promise.all(
    floors.map(async (floor) => {
      let iterations = 0;
      while (performance.now() < deadline) await floor.run((iterations += 1));
      return iterations;
    }),
  );
  const iterations = done.reduce((sum, count) => sum + count, 0);
  return { perSecond: iterations / seconds, iterations };
}
