/** What `npm run bench` measured: the shape of bench/results.json, which the report prints. */
import type { CallsPerOperation } from './calls.js';
import type { ClientSize } from './client-size.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { OperationCpu } from './cpu.js';
import type { FreshStart } from './fresh-start.js';
import type { OperationLatency } from './latency.js';
import type { Spread } from './stats.js';
import type { ThroughputRun } from './throughput.js';
import type { WebhookImpact } from './webhooks.js';

/** How long and how often each part runs (`--quick` or the full settings). */
export interface BenchSettings {
  readonly coldStartRounds: number;
  readonly latency: { readonly runs: number; readonly perRun: number; readonly warmup: number };
  readonly callExecutions: number;
  readonly throughput: { readonly runs: number; readonly seconds: number; readonly connections: number };
  /** Requests per operation for CPU per request, per profiled operation, and after a fresh start. */
  readonly cpuRequests: number;
  readonly profileRequests: number;
  readonly freshStartRequests: number;
  /** Webhooks beside the request path: requests per round and operation, rounds with and without endpoints each. */
  readonly webhooks: { readonly requests: number; readonly rounds: number };
}

export interface ColdStartResult {
  readonly bytes: number;
  /** Wall and CPU milliseconds from `import()` to the handler, over fresh processes. */
  readonly initMs: Spread;
  readonly cpuMs: Spread;
  readonly floor: string;
  readonly floorInitMs: Spread;
  /** Init over its floor's init, round by round. */
  readonly ratio: Spread;
  readonly loadedAtInit: readonly string[];
  readonly loadedLazily: readonly string[];
}

export interface BenchResults {
  readonly date: string;
  readonly machine: { readonly node: string; readonly cpus: number; readonly cpuModel: string; readonly loadAverageAtStart: readonly number[] };
  readonly settings: BenchSettings;
  readonly coldStart?: {
    readonly functions: Record<string, ColdStartResult>;
    readonly floors: Record<string, { readonly bytes: number; readonly initMs: Spread }>;
    readonly dependencies: Record<string, { readonly bytes: number; readonly initMs: Spread }>;
    /** The same functions with `@aws-sdk/*` external (resolved from node_modules, as from the runtime), and their floors. */
    readonly runtimeSdk: Record<string, { readonly bytes: number; readonly initMs: Spread; readonly floorInitMs: Spread }>;
    readonly importViolations: readonly string[];
  };
  readonly latency?: Record<string, OperationLatency>;
  readonly calls?: Record<string, CallsPerOperation>;
  readonly cpu?: Record<string, OperationCpu>;
  readonly throughput?: {
    readonly connections: number;
    readonly heartbeatsPerSecond: Spread;
    /** The floor's heartbeats per second at the same concurrency, and served over floor, run by run. */
    readonly floorPerSecond: Spread;
    readonly ratio: Spread;
    /** CPU of every process of `npm start` over the heartbeats it answered in the run. */
    readonly servedCpuMsPerHeartbeat: Spread;
    readonly errors: number;
    readonly runs: readonly ThroughputRun[];
  };
  /** `npm start` under `--cpu-prof`, per operation. */
  readonly profiles?: Record<string, ProfileSummary>;
  readonly freshStart?: FreshStart;
  /** Activation and heartbeat with and without 3 webhook endpoints subscribed, and commit to first attempt. */
  readonly webhooks?: WebhookImpact;
  readonly clientSize?: ClientSize;
}
