import type { CallsPerOperation } from './calls.js';
import type { OperationCpu } from './cpu.js';
import type { FreshStart } from './fresh-start.js';
import type { LatencyOptions, OperationLatency } from './latency.js';
import type { OperationId } from './operations.js';
import type { ProbeLatencyOptions, ProbePair, ProbeSubject } from './probe.js';
import type { Spread } from './stats.js';
import type { WebhookImpact } from './webhooks.js';

/** What the bench asks of its worker. `baseUrl` is the served service (`npm start`) it drives over HTTP. */
export type WorkerTask =
  | ({ readonly kind: 'latency' } & LatencyOptions)
  | { readonly kind: 'calls'; readonly executions: number }
  | { readonly kind: 'cpu'; readonly count: number; readonly baseUrl: string; readonly servedPid?: number }
  /** Heartbeats with proofs signed now: each of a fresh installation (they sign), or of fleets within the proof limit (re-served). */
  | { readonly kind: 'heartbeat-load'; readonly operation: 'heartbeat' | 'heartbeatReserved'; readonly requests: number }
  /** The heartbeat's floor at a concurrency: the service's own calls and signature, or the contract's minimum. */
  | { readonly kind: 'floor-load'; readonly floor: 'service' | 'minimum'; readonly connections: number; readonly seconds: number }
  | ({ readonly kind: 'probe-latency' } & ProbeLatencyOptions)
  | { readonly kind: 'probe-cpu'; readonly count: number; readonly baseUrl: string; readonly servedPid: number }
  | { readonly kind: 'send'; readonly operation: OperationId; readonly count: number; readonly baseUrl: string }
  | { readonly kind: 'fresh-start'; readonly baseUrl: string; readonly opsApiKey: string; readonly requests: number }
  | { readonly kind: 'webhooks'; readonly baseUrl: string; readonly servedPid: number; readonly requests: number; readonly rounds: number };

/** A heartbeat ready to send: its own proof, already signed. */
export interface LoadRequest {
  readonly path: string;
  readonly dpop: string;
  readonly body: string;
}

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'latency'; readonly latency: Record<string, OperationLatency> }
  | { readonly kind: 'calls'; readonly calls: Record<string, CallsPerOperation> }
  | { readonly kind: 'cpu'; readonly cpu: Record<string, OperationCpu> }
  | { readonly kind: 'heartbeat-load'; readonly requests: readonly LoadRequest[] }
  | { readonly kind: 'floor-load'; readonly perSecond: number; readonly cpuMsPerIteration: number }
  | { readonly kind: 'probe-latency'; readonly latency: Record<ProbeSubject, ProbePair> }
  | { readonly kind: 'probe-cpu'; readonly cpu: { readonly served: Spread; readonly floor: Spread; readonly ratio: Spread } }
  | { readonly kind: 'send'; readonly sent: number }
  | { readonly kind: 'fresh-start'; readonly freshStart: FreshStart }
  | { readonly kind: 'webhooks'; readonly webhooks: WebhookImpact };
