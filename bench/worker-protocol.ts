import type { CallsPerOperation } from './calls.js';
import type { LatencyOptions, OperationLatency } from './latency.js';

/** What the bench asks of its worker. */
export type WorkerTask =
  | ({ readonly kind: 'latency' } & Omit<LatencyOptions, 'baseUrl'>)
  | { readonly kind: 'calls'; readonly executions: number }
  | { readonly kind: 'heartbeat-load'; readonly requests: number };

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
  | { readonly kind: 'heartbeat-load'; readonly baseUrl: string; readonly requests: readonly LoadRequest[] };
