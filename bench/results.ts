/** What `npm run bench` measured: the shape of bench/results.json, which the report prints. */
import type { CallsPerOperation } from './calls.js';
import type { ClientSize } from './client-size.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { OperationCpu } from './cpu.js';
import type { FreshStart } from './fresh-start.js';
import type { InsightsBench } from './insights.js';
import type { OperationLatency } from './latency.js';
import type { ProbePair, ProbeSubject } from './probe.js';
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
  /** The probe against the contract's minimum floor: latency runs, and heartbeats for CPU one at a time. */
  readonly probe: { readonly runs: number; readonly perRun: number; readonly warmup: number; readonly cpuRequests: number };
  /** Webhooks beside the request path: requests per round and operation, rounds with and without endpoints each. */
  readonly webhooks: { readonly requests: number; readonly rounds: number };
}

/** Heartbeats per second `npm start` sustains at a concurrency, beside a floor's at the same concurrency. */
export interface ThroughputResult {
  readonly connections: number;
  readonly heartbeatsPerSecond: Spread;
  /** The floor's heartbeats per second at the same concurrency, and served over floor, run by run. */
  readonly floorPerSecond: Spread;
  readonly ratio: Spread;
  /** CPU of every process of `npm start` over the heartbeats it answered in the run. */
  readonly servedCpuMsPerHeartbeat: Spread;
  /** CPU of the process running the floor over its iterations, and served over floor, run by run. */
  readonly floorCpuMsPerHeartbeat: Spread;
  readonly cpuRatio: Spread;
  readonly errors: number;
  readonly runs: readonly ThroughputRun[];
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
  /** Signing heartbeats, each of a fresh installation, against the service's floor. */
  readonly throughput?: ThroughputResult;
  /** `npm start` against the contract's minimum floor (bench/probe.ts). */
  readonly probe?: {
    readonly latency: Record<ProbeSubject, ProbePair>;
    /** CPU ms per heartbeat one at a time, in rounds alternating the sides: every process of `npm start`, the minimum floor's, and their ratio. */
    readonly cpu: { readonly served: Spread; readonly floor: Spread; readonly ratio: Spread };
    /** Re-served heartbeats from fleets within the proof limit, against the minimum floor. */
    readonly throughput: ThroughputResult;
  };
  /** `npm start` under `--cpu-prof`, per operation. */
  readonly profiles?: Record<string, ProfileSummary>;
  readonly freshStart?: FreshStart;
  /** Activation and heartbeat with and without 3 webhook endpoints subscribed, and commit to first attempt. */
  readonly webhooks?: WebhookImpact;
  readonly clientSize?: ClientSize;
  readonly insights?: InsightsBench;
}
