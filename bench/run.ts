/**
 * `npm run bench`: how fast the service is, each figure beside the floor it cannot beat. Prints a
 * table and writes bench/results.json; docs/PERFORMANCE.md reads the figures. `--quick` runs each
 * part briefly (to check the bench itself, not to quote); `--only=cold-start,latency,calls,cpu,throughput,
 * probe,webhooks,profile,fresh-start,client-size,insights` runs some parts; `--out=FILE` writes the results there instead. The HTTP figures come from `npm start` in a process
 * of its own, driven from the worker (another process) as an installation would drive it.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionNames } from '#cdk/function-permissions.js';
import type { FunctionName } from '#cdk/function-permissions.js';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';
import { benchCacheDir, buildBundles, functionTargets, repositoryRoot, writeDependencyEntries, writeFloorEntries } from './bundles.js';
import type { Bundle, BundleTarget } from './bundles.js';
import { measureInits } from './cold-start.js';
import type { InitSample } from './cold-start.js';
import { importViolations } from './import-rules.js';
import { formatReport } from './report.js';
import type { BenchResults, BenchSettings, ColdStartResult, ThroughputResult } from './results.js';
import { spread } from './stats.js';
import { measureClientSize } from './client-size.js';
import { benchInsights } from './insights.js';
import { summarizeProfile } from './cpu-profile.js';
import type { ProfileSummary } from './cpu-profile.js';
import { processTreeCpuMs, startServed } from './served.js';
import type { ServedService } from './served.js';
import { runHeartbeatLoad } from './throughput.js';
import type { ThroughputRun } from './throughput.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';

const servicePartNames = ['latency', 'calls', 'cpu', 'throughput', 'probe', 'webhooks', 'profile', 'fresh-start'] as const;
type Part = 'cold-start' | 'client-size' | 'insights' | (typeof servicePartNames)[number];

const quick = process.argv.includes('--quick');
const only = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length).split(',');
const runs = (part: Part) => !only || only.includes(part);

const settings: BenchSettings = quick
  ? {
      coldStartRounds: 3,
      latency: { runs: 2, perRun: 40, warmup: 5 },
      callExecutions: 3,
      throughput: { runs: 1, seconds: 3, connections: 16 },
      cpuRequests: 30,
      profileRequests: 60,
      freshStartRequests: 20,
      probe: { runs: 2, perRun: 30, warmup: 5, cpuRequests: 30 },
      webhooks: { requests: 20, rounds: 1 },
    }
  : // Warm-up: DynamoDB Local's JIT answers its first few hundred calls 2–5 ms slower.
    {
      coldStartRounds: 15,
      latency: { runs: 5, perRun: 200, warmup: 300 },
      callExecutions: 5,
      throughput: { runs: 3, seconds: 10, connections: 16 },
      cpuRequests: 300,
      profileRequests: 600,
      freshStartRequests: 100,
      probe: { runs: 5, perRun: 200, warmup: 300, cpuRequests: 300 },
      webhooks: { requests: 100, rounds: 3 },
    };

/** Functions measured a second time with the AWS SDK left out of the bundle, as if taken from the Lambda runtime. */
const runtimeSdkSample: readonly FunctionName[] = ['health', 'heartbeat', 'public-documents'];

// ---------------------------------------------------------------- cold starts

const wall = (samples: readonly InitSample[] | undefined) => spread((samples ?? []).map((sample) => sample.wallMs));

async function coldStarts(): Promise<NonNullable<BenchResults['coldStart']>> {
  const entries = join(benchCacheDir, 'entries');
  const { targets: floorTargets, floorOf } = await writeFloorEntries(entries);
  const dependencyTargets = await writeDependencyEntries(entries);
  const bundled = await buildBundles([...functionTargets, ...floorTargets, ...dependencyTargets], { outDir: join(benchCacheDir, 'bundled') });
  const sampleFloors = [...new Set(runtimeSdkSample.map((name) => floorOf.get(name)))].map((id) => floorTargets.find((target) => target.id === id) as BundleTarget);
  const external = await buildBundles(
    [...functionTargets.filter((target) => runtimeSdkSample.includes(target.id as FunctionName)), ...sampleFloors].map((target) => ({ ...target, id: `${target.id}@runtime-sdk` })),
    { outDir: join(benchCacheDir, 'runtime-sdk'), external: ['@aws-sdk/*'] },
  );
  const all: Bundle[] = [...bundled.values(), ...external.values()];
  const samples = await measureInits(all, { rounds: settings.coldStartRounds, cacheDir: benchCacheDir });

  const functions: Record<string, ColdStartResult> = {};
  for (const name of functionNames) {
    const bundle = bundled.get(name) as Bundle;
    const floor = floorOf.get(name) as string;
    const own = samples.get(name) ?? [];
    const floorSamples = samples.get(floor) ?? [];
    functions[name] = {
      bytes: bundle.bytes,
      initMs: wall(own),
      cpuMs: spread(own.map((sample) => sample.cpuMs)),
      floor,
      floorInitMs: wall(floorSamples),
      ratio: spread(own.map((sample, round) => sample.wallMs / (floorSamples[round]?.wallMs ?? Number.NaN))),
      loadedAtInit: [...bundle.loadedAtInit].filter((module) => !module.startsWith('lib/') && !module.startsWith('functions/')).sort(),
      loadedLazily: [...bundle.loadedLazily].sort(),
    };
  }
  const sized = (targets: readonly BundleTarget[]) =>
    Object.fromEntries(targets.map((target) => [target.id, { bytes: bundled.get(target.id)?.bytes ?? 0, initMs: wall(samples.get(target.id)) }]));
  return {
    functions,
    floors: sized(floorTargets),
    dependencies: sized(dependencyTargets),
    runtimeSdk: Object.fromEntries(
      runtimeSdkSample.map((name) => [
        name,
        {
          bytes: external.get(`${name}@runtime-sdk`)?.bytes ?? 0,
          initMs: wall(samples.get(`${name}@runtime-sdk`)),
          floorInitMs: wall(samples.get(`${floorOf.get(name)}@runtime-sdk`)),
        },
      ]),
    ),
    importViolations: importViolations(bundled),
  };
}

// ---------------------------------------------------------------- the service

type Worker = Awaited<ReturnType<typeof startWorker>>;

/** The worker process and a way to ask it one thing at a time. */
async function startWorker(environment: NodeJS.ProcessEnv): Promise<{ ask<K extends WorkerReply['kind']>(task: WorkerTask, kind: K): Promise<Extract<WorkerReply, { kind: K }>>; stop(): Promise<void> }> {
  const child: ChildProcess = fork(join(repositoryRoot, 'bench/worker.ts'), [], {
    execArgv: ['--conditions=@license-activation/source', '--import', 'tsx'],
    env: environment,
    // Its stdout carries the log lines and EMF metrics a function writes on Lambda: measured, not shown.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <K extends WorkerReply['kind']>(kind: K) =>
    new Promise<Extract<WorkerReply, { kind: K }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bench worker exited (${code}) before answering`));
      child.once('exit', onExit);
      child.once('message', (reply: WorkerReply) => {
        child.off('exit', onExit);
        if (reply.kind === kind) resolve(reply as Extract<WorkerReply, { kind: K }>);
        else reject(new Error(reply.kind === 'failed' ? reply.message : `the bench worker answered ${reply.kind}, not ${kind}`));
      });
    });
  await next('ready');
  return {
    ask: (task, kind) => {
      child.send(task);
      return next(kind);
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ kind: 'stop' });
      }),
  };
}

/**
 * Heartbeats per second through the served service (autocannon, in this process) against a floor's
 * at the same concurrency (in the worker), and the CPU per heartbeat of each, run by run: signing
 * heartbeats (each of a fresh installation) against the service's floor, or re-served ones (fleets within
 * the proof limit) against the contract's minimum.
 */
async function throughput(worker: Worker, served: ServedService, kind: 'signing' | 'minimum'): Promise<ThroughputResult> {
  const { runs: count, seconds, connections } = settings.throughput;
  const measured: { run: ThroughputRun; floor: number; cpuMs: number; floorCpuMs: number }[] = [];
  // Proofs for twice what the previous run sustained, at least 150 heartbeats per second.
  let requests = 150 * seconds;
  while (measured.length < count) {
    const load = await worker.ask({ kind: 'heartbeat-load', operation: kind === 'signing' ? 'heartbeat' : 'heartbeatReserved', requests }, 'heartbeat-load');
    const cpuBefore = await processTreeCpuMs(served.pid);
    const run = await runHeartbeatLoad(served.baseUrl, load.requests, { connections, seconds });
    const cpuMs = (await processTreeCpuMs(served.pid)) - cpuBefore;
    requests = Math.max(requests, Math.ceil(2 * run.heartbeatsPerSecond * seconds));
    // A run that used up its proofs before its time is too short to count: run it again with more.
    if (run.seconds < seconds) continue;
    const floor = await worker.ask({ kind: 'floor-load', floor: kind === 'signing' ? 'service' : 'minimum', connections, seconds }, 'floor-load');
    measured.push({ run, floor: floor.perSecond, cpuMs: cpuMs / (run.heartbeatsPerSecond * run.seconds), floorCpuMs: floor.cpuMsPerIteration });
  }
  return {
    connections,
    heartbeatsPerSecond: spread(measured.map(({ run }) => run.heartbeatsPerSecond)),
    floorPerSecond: spread(measured.map(({ floor }) => floor)),
    ratio: spread(measured.map(({ run, floor }) => run.heartbeatsPerSecond / floor)),
    servedCpuMsPerHeartbeat: spread(measured.map(({ cpuMs }) => cpuMs)),
    floorCpuMsPerHeartbeat: spread(measured.map(({ floorCpuMs }) => floorCpuMs)),
    cpuRatio: spread(measured.map(({ cpuMs, floorCpuMs }) => cpuMs / floorCpuMs)),
    errors: measured.reduce((sum, { run }) => sum + run.errors, 0),
    runs: measured.map(({ run }) => run),
  };
}

/** The probe (bench/probe.ts): latency and CPU one at a time from the worker, then throughput, against the minimum floor. */
async function probe(worker: Worker, served: ServedService): Promise<NonNullable<BenchResults['probe']>> {
  const { runs: probeRuns, perRun, warmup, cpuRequests } = settings.probe;
  const { latency } = await worker.ask({ kind: 'probe-latency', runs: probeRuns, perRun, warmup, baseUrl: served.baseUrl }, 'probe-latency');
  const { cpu } = await worker.ask({ kind: 'probe-cpu', count: cpuRequests, baseUrl: served.baseUrl, servedPid: served.pid }, 'probe-cpu');
  return { latency, cpu, throughput: await throughput(worker, served, 'minimum') };
}

/** `npm start` under `--cpu-prof` for each operation, driven by the worker, and its profile summarized. */
async function profiles(worker: Worker, environment: NodeJS.ProcessEnv): Promise<NonNullable<BenchResults['profiles']>> {
  const summaries: Record<string, ProfileSummary> = {};
  for (const operation of ['heartbeatReserved', 'heartbeat', 'activation'] as const) {
    const dir = await mkdtemp(join(tmpdir(), `license-activation-profile-${operation}-`));
    try {
      const profiled = await startServed(repositoryRoot, environment, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      let from: number;
      try {
        // The start and the first requests (module loading, JIT) are profiled too, but not summarized.
        await worker.ask({ kind: 'send', operation, count: Math.ceil(settings.profileRequests / 3), baseUrl: profiled.baseUrl }, 'send');
        from = Number(process.hrtime.bigint() / 1000n);
        await worker.ask({ kind: 'send', operation, count: settings.profileRequests, baseUrl: profiled.baseUrl }, 'send');
      } finally {
        await profiled.stop();
      }
      summaries[operation] = await summarizeProfile(dir, settings.profileRequests, `${repositoryRoot}/`, from);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return summaries;
}

/** The first requests of a fresh `npm start` with its own DynamoDB Local, as a user starts it. */
async function freshStart(worker: Worker, environment: NodeJS.ProcessEnv): Promise<NonNullable<BenchResults['freshStart']>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'license-activation-fresh-'));
  const opsApiKey = `lak_bench-${randomUUID()}`;
  // No DynamoDB endpoint and no table name: npm start runs its own DynamoDB Local, as for a user.
  const own = Object.fromEntries(Object.entries(environment).filter(([name]) => name !== 'DYNAMODB_ENDPOINT' && name !== 'TABLE_NAME'));
  const served = await startServed(repositoryRoot, { ...own, DATA_DIR: dataDir, OPS_API_KEY: opsApiKey });
  try {
    return (await worker.ask({ kind: 'fresh-start', baseUrl: served.baseUrl, opsApiKey, requests: settings.freshStartRequests }, 'fresh-start')).freshStart;
  } finally {
    await served.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function serviceParts(): Promise<Pick<BenchResults, 'latency' | 'calls' | 'cpu' | 'throughput' | 'probe' | 'webhooks' | 'profiles' | 'freshStart'>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'license-activation-bench-'));
  // On disk, as `npm start` keeps its tables: the service, the handlers in the worker and the floors all use this one.
  const dynamodb = await startDynamodbLocal({ dbPath: join(dataDir, 'dynamodb') });
  const shared: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    TABLE_NAME: `bench-${randomUUID()}`,
    DATA_DIR: dataDir,
    OPS_API_KEY: `lak_bench-${randomUUID()}`,
    AWS_REGION: 'us-east-1',
    // What DPoP proofs name as htu, in-process and over HTTP alike (npm start's port is only known once it listens).
    PUBLIC_BASE_URL: 'https://licenses.bench.example',
    // On AWS the table stream's consumers are functions of their own: the service is measured without them
    // (the insights part measures its consumer; the webhooks part runs the dispatcher in a process of its own, bench/dispatcher.ts).
    STREAM_CONSUMERS: 'off',
  };
  try {
    const worker = await startWorker({
      ...shared,
      SIGNER: 'local',
      SECRET_BOX: 'local',
      // What a function logs and counts on Lambda, so that the handlers do the same work here.
      POWERTOOLS_SERVICE_NAME: 'license-activation',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'LicenseActivation/bench',
    });
    try {
      // `npm start` as a user runs it (its own environment: logs, no metrics), on the same table.
      const served = await startServed(repositoryRoot, shared);
      let parts: Pick<BenchResults, 'latency' | 'calls' | 'cpu' | 'throughput' | 'probe' | 'webhooks'>;
      try {
        const latency = runs('latency') ? (await worker.ask({ kind: 'latency', ...settings.latency, baseUrl: served.baseUrl }, 'latency')).latency : undefined;
        const calls = runs('calls') ? (await worker.ask({ kind: 'calls', executions: settings.callExecutions }, 'calls')).calls : undefined;
        const cpu = runs('cpu') ? (await worker.ask({ kind: 'cpu', count: settings.cpuRequests, baseUrl: served.baseUrl, servedPid: served.pid }, 'cpu')).cpu : undefined;
        parts = {
          latency,
          calls,
          cpu,
          throughput: runs('throughput') ? await throughput(worker, served, 'signing') : undefined,
          probe: runs('probe') ? await probe(worker, served) : undefined,
          // Last on this service: it adds (and then deletes) webhook endpoints.
          webhooks: runs('webhooks') ? (await worker.ask({ kind: 'webhooks', ...settings.webhooks, baseUrl: served.baseUrl, servedPid: served.pid }, 'webhooks')).webhooks : undefined,
        };
      } finally {
        await served.stop();
      }
      return {
        ...parts,
        profiles: runs('profile') ? await profiles(worker, shared) : undefined,
        freshStart: runs('fresh-start') ? await freshStart(worker, shared) : undefined,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await dynamodb.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- usage history and insights

/** The insights read for vendors of 100 and 10,000 installations (`--quick`: 1,000), and the consumer's work. */
async function insightsPart(): Promise<NonNullable<BenchResults['insights']>> {
  const dynamodb = await startDynamodbLocal();
  try {
    return await benchInsights(dynamodb.endpoint, quick ? [100, 1000] : [100, 10_000]);
  } finally {
    await dynamodb.stop();
  }
}

// ---------------------------------------------------------------- report

const results: BenchResults = {
  date: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverageAtStart: loadavg() },
  settings,
  ...(runs('cold-start') ? { coldStart: await coldStarts() } : {}),
  ...(servicePartNames.some(runs) ? await serviceParts() : {}),
  ...(runs('client-size') ? { clientSize: await measureClientSize(repositoryRoot) } : {}),
  ...(runs('insights') ? { insights: await insightsPart() } : {}),
};
const out = process.argv.find((argument) => argument.startsWith('--out='))?.slice('--out='.length) ?? join(repositoryRoot, 'bench/results.json');
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(formatReport(results));
console.log(`\nwritten to ${out}`);
