import type { BenchResults, ThroughputResult } from './results.js';
import type { Spread } from './stats.js';
import type { ImpactFigures } from './webhooks.js';

/** The targets of docs/PERFORMANCE.md, checked where the bench measures them. */
export const targets = {
  /** Operation p50 over floor p50, for the operations installations wait on. */
  overhead: { activation: 1.25, heartbeat: 1.25 } as Record<string, number>,
  /** The same through the served `npm start`, driven from another process. */
  httpOverhead: { activation: 1.8, heartbeat: 1.5 } as Record<string, number>,
  /** Served heartbeats per second at 16 connections over the floor's. */
  throughputRatio: 0.8,
  /** A function's init over its floor bundle's init. */
  initRatio: 1.3,
  /** The probe, on Node 24: `npm start` over the contract's minimum floor (p50, CPU per heartbeat), or under it (throughput). */
  probe: { heartbeat: 1.5, activation: 1.8, throughput: 0.8, cpu: 1.5 } as { heartbeat: number; activation: number; throughput: number; cpu: number },
  /** DynamoDB round trips and KMS signatures of the warm operation. */
  calls: { activation: { roundTrips: 2, signatures: 1 }, heartbeat: { roundTrips: 2, signatures: 1 } } as Record<string, { roundTrips: number; signatures: number }>,
};

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
export const formatSpread = (value: Spread, digits = 1) =>
  value.min === value.max ? fixed(value.median, digits) : `${fixed(value.median, digits)} (${fixed(value.min, digits)}–${fixed(value.max, digits)})`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [`\n${title}`, line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function formatReport(results: BenchResults): string {
  const sections = [`license activation bench, ${results.date}, Node ${results.machine.node} on ${results.machine.cpus} × ${results.machine.cpuModel}`];
  sections.push('figures: median of the runs (fastest–slowest run)');
  if (results.latency) {
    sections.push(
      table(
        'Latency per operation (ms): in-process handler, local HTTP service, floor (its raw DynamoDB calls and signature)',
        ['operation', 'p50', 'p99', 'HTTP p50', 'HTTP p99', 'floor p50', 'floor p99', 'overhead p50', 'target', 'HTTP overhead p50', 'target', 'floor calls'],
        Object.entries(results.latency).map(([id, latency]) => {
          const target = targets.overhead[id];
          const httpTarget = targets.httpOverhead[id];
          return [
            id,
            formatSpread(latency.inProcess.p50),
            formatSpread(latency.inProcess.p99),
            formatSpread(latency.http.p50),
            formatSpread(latency.http.p99),
            latency.floor ? formatSpread(latency.floor.p50) : '–',
            latency.floor ? formatSpread(latency.floor.p99) : '–',
            latency.overhead ? formatSpread(latency.overhead, 2) : '–',
            target !== undefined && latency.overhead ? `≤ ${target} ${verdict(latency.overhead.median <= target)}` : '',
            latency.httpOverhead ? formatSpread(latency.httpOverhead, 2) : '–',
            httpTarget !== undefined && latency.httpOverhead ? `≤ ${httpTarget} ${verdict(latency.httpOverhead.median <= httpTarget)}` : '',
            latency.floor ? latency.floor.calls.join(' + ') : 'none',
          ];
        }),
      ),
    );
  }
  if (results.calls) {
    sections.push(
      table(
        'Calls per operation (KMS signer and secret box against a KMS mock that signs)',
        ['operation', 'DynamoDB round trips', 'items written', 'condition checks', 'RRU', 'WRU (Local)', 'WRU (AWS rules)', 'KMS Sign', 'KMS GetPublicKey', 'KMS Encrypt', 'target', 'commands'],
        Object.entries(results.calls).map(([id, calls]) => {
          const target = targets.calls[id];
          const met = target && calls.dynamodbRoundTrips.max <= target.roundTrips && calls.kmsSign.min === target.signatures && calls.kmsSign.max === target.signatures;
          return [
            id,
            formatSpread(calls.dynamodbRoundTrips, 0),
            formatSpread(calls.itemsWritten, 0),
            formatSpread(calls.conditionChecks, 0),
            formatSpread(calls.readUnits, 1),
            formatSpread(calls.writeUnits, 1),
            formatSpread(calls.billedWriteUnits, 1),
            formatSpread(calls.kmsSign, 0),
            formatSpread(calls.kmsGetPublicKey, 0),
            formatSpread(calls.kmsEncrypt, 0),
            target ? `≤ ${target.roundTrips} trips, ${target.signatures} Sign ${verdict(Boolean(met))}` : '',
            calls.commands.map((command) => command.replace(/Command$/, '')).join(' + '),
          ];
        }),
      ),
    );
  }
  if (results.coldStart) {
    const { functions, floors, dependencies, runtimeSdk, importViolations } = results.coldStart;
    sections.push(
      table(
        `Cold start: a fresh node importing the bundle (ms, ${results.settings.coldStartRounds} processes each)`,
        ['function', 'KiB', 'init', 'CPU', 'floor', 'floor init', 'init / floor', 'target'],
        Object.entries(functions).map(([name, result]) => [
          name,
          fixed(result.bytes / 1024, 0),
          formatSpread(result.initMs),
          formatSpread(result.cpuMs),
          result.floor,
          formatSpread(result.floorInitMs),
          formatSpread(result.ratio, 2),
          `≤ ${targets.initRatio} ${verdict(result.ratio.median <= targets.initRatio)}`,
        ]),
      ),
      table(
        'Floor bundles: only the AWS SDK clients the function may call, constructed',
        ['floor', 'KiB', 'init'],
        Object.entries(floors).map(([id, floor]) => [id, fixed(floor.bytes / 1024, 0), formatSpread(floor.initMs)]),
      ),
      table(
        'Dependencies alone: what each one adds to an init',
        ['dependency', 'KiB', 'init'],
        Object.entries(dependencies).map(([id, dependency]) => [id.replace(/^dependency:/, ''), fixed(dependency.bytes / 1024, 0), formatSpread(dependency.initMs)]),
      ),
      table(
        'AWS SDK from the runtime (@aws-sdk/* external, resolved from node_modules) instead of bundled',
        ['function', 'KiB without SDK', 'init', 'bundled init', 'floor init (runtime SDK)'],
        Object.entries(runtimeSdk).map(([name, result]) => [
          name,
          fixed(result.bytes / 1024, 0),
          formatSpread(result.initMs),
          functions[name] ? formatSpread(functions[name].initMs) : '–',
          formatSpread(result.floorInitMs),
        ]),
      ),
      importViolations.length === 0 ? '\nImports: every function loads only what it uses' : `\nImports that break the rules:\n${importViolations.map((line) => `  ${line}`).join('\n')}`,
    );
  }
  if (results.cpu) {
    sections.push(
      table(
        `CPU per request (ms; ${results.settings.cpuRequests} requests one at a time): handler in-process, every process of npm start (HTTP from another process), the floor's SDK calls and signature`,
        ['operation', 'in-process', 'served', 'floor'],
        Object.entries(results.cpu).map(([id, cpu]) => [
          id,
          fixed(cpu.inProcess, 2),
          cpu.served === undefined ? '–' : fixed(cpu.served, 2),
          cpu.floor === undefined ? '–' : fixed(cpu.floor, 2),
        ]),
      ),
    );
  }
  const throughputTable = (title: string, result: ThroughputResult, ratioTarget: number, cpuTarget?: number) =>
    table(
      `${title}, ${result.connections} connections, ${result.runs.length} runs, against the floor at the same concurrency`,
      ['heartbeats/s', 'floor/s', 'ratio', 'target', 'service CPU ms/heartbeat', 'floor CPU ms/heartbeat', 'CPU ratio', 'target', 'errors', 'latency p50 (ms)', 'latency p99 (ms)'],
      [
        [
          formatSpread(result.heartbeatsPerSecond, 0),
          formatSpread(result.floorPerSecond, 0),
          formatSpread(result.ratio, 2),
          `≥ ${ratioTarget} ${verdict(result.ratio.median >= ratioTarget)}`,
          formatSpread(result.servedCpuMsPerHeartbeat, 2),
          formatSpread(result.floorCpuMsPerHeartbeat, 2),
          formatSpread(result.cpuRatio, 2),
          cpuTarget === undefined ? '' : `≤ ${cpuTarget} ${verdict(result.cpuRatio.median <= cpuTarget)}`,
          String(result.errors),
          result.runs.map((run) => fixed(run.latencyP50Ms, 0)).join(' / '),
          result.runs.map((run) => fixed(run.latencyP99Ms, 0)).join(' / '),
        ],
      ],
    );
  if (results.throughput) sections.push(throughputTable('Throughput: signing heartbeats through npm start', results.throughput, targets.throughputRatio));
  if (results.probe) {
    const { latency, cpu, throughput } = results.probe;
    const probeTargets: Record<string, number> = targets.probe;
    sections.push(
      table(
        "Probe: npm start from another process against the contract's minimum floor (ms)",
        ['subject', 'HTTP p50', 'minimum floor p50', 'ratio', 'target', 'minimum floor'],
        Object.entries(latency).map(([subject, pair]) => {
          const target = probeTargets[subject] as number;
          return [subject, formatSpread(pair.p50), formatSpread(pair.floorP50), formatSpread(pair.ratio, 2), `≤ ${target} ${verdict(pair.ratio.median <= target)}`, pair.floorCalls.join(' + ')];
        }),
      ),
      `\nProbe CPU per heartbeat, ${results.settings.probe.cpuRequests} one at a time in rounds: npm start ${formatSpread(cpu.served, 2)} ms, minimum floor ${formatSpread(cpu.floor, 2)} ms, ratio ${formatSpread(cpu.ratio, 2)} (target ≤ ${targets.probe.cpu} ${verdict(cpu.ratio.median <= targets.probe.cpu)})`,
      throughputTable('Probe throughput: re-served heartbeats from fleets within the proof limit through npm start', throughput, targets.probe.throughput, targets.probe.cpu),
    );
  }
  if (results.profiles) {
    for (const [id, profile] of Object.entries(results.profiles)) {
      sections.push(
        table(
          `CPU profile of npm start, ${id}: ${fixed(profile.busyMs, 2)} ms busy per request over ${profile.requests} (self time per request, ms)`,
          ['code', 'ms', 'function', 'ms'],
          profile.byCode.map(([code, ms], index) => {
            const [name, functionMs] = profile.topFunctions[index] ?? ['', Number.NaN];
            return [code, fixed(ms, 3), name, fixed(functionMs, 3)];
          }),
        ),
      );
    }
  }
  if (results.webhooks) {
    const { without, with: subscribed, endpoints, requestsPerRound, rounds, commitToFirstAttemptMs: first, dispatcher } = results.webhooks;
    const figure = (figures: ImpactFigures | undefined, name: keyof ImpactFigures) => (figures ? formatSpread(figures[name], 2) : '–');
    sections.push(
      table(
        `Webhooks beside the request path, ${requestsPerRound} requests a round, ${rounds} rounds without (–) and with (+) ${endpoints} endpoints subscribed to every event: ` +
          'the handler in-process as Lambda runs it, and npm start over HTTP, no stream consumer running (on AWS the dispatcher is a function of its own)',
        ['operation', 'handler p50 –', 'handler p50 +', 'handler CPU ms –', 'handler CPU ms +', 'served p50 –', 'served p50 +', 'served CPU ms –', 'served CPU ms +'],
        Object.keys(without).map((id) => [
          id,
          figure(without[id], 'handlerP50Ms'),
          figure(subscribed[id], 'handlerP50Ms'),
          figure(without[id], 'handlerCpuMs'),
          figure(subscribed[id], 'handlerCpuMs'),
          figure(without[id], 'servedP50Ms'),
          figure(subscribed[id], 'servedP50Ms'),
          figure(without[id], 'servedCpuMs'),
          figure(subscribed[id], 'servedCpuMs'),
        ]),
      ),
    );
    sections.push(`From an event's commit to the first attempt of its delivery (the dispatcher in a process of its own): p50 ${fixed(first.p50, 0)} ms, p99 ${fixed(first.p99, 0)} ms over ${first.count} events (within 5 s: ${verdict(first.p99 <= 5000)})`);
    const calls = Object.entries(dispatcher.callsPerEvent).toSorted(([a], [b]) => a.localeCompare(b));
    sections.push(
      table(
        `The dispatcher per event with its ${endpoints} deliveries (${dispatcher.events} events, ${dispatcher.deliveries} deliveries; the sweep's calls included): DynamoDB calls and CPU`,
        ['', ...calls.map(([command]) => command.replace(/Command$/, '')), 'calls', 'CPU ms'],
        [['per event', ...calls.map(([, count]) => fixed(count, 2)), fixed(calls.reduce((sum, [, count]) => sum + count, 0), 2), fixed(dispatcher.cpuMsPerEvent, 2)]],
      ),
    );
  }
  if (results.freshStart) {
    const { first, warm, requests } = results.freshStart;
    sections.push(
      table(
        `A fresh npm start (its own DynamoDB Local): p50 (ms) of the first ${requests} activations and heartbeats, and once warm`,
        ['', 'activation', 'heartbeat'],
        [
          ['first', fixed(first.activation, 1), fixed(first.heartbeat, 1)],
          ['warm', fixed(warm.activation, 1), fixed(warm.heartbeat, 1)],
        ],
      ),
    );
  }
  if (results.clientSize) {
    const size = results.clientSize;
    sections.push(
      table(
        'The client package (@license-activation/client)',
        ['packed KiB', 'unpacked KiB', 'files', 'installed KiB (empty project)', 'installed packages', 'AWS SDK packages'],
        [[fixed(size.packedBytes / 1024, 1), fixed(size.unpackedBytes / 1024, 1), String(size.files), fixed(size.installedBytes / 1024, 0), String(size.installedPackages), size.awsSdkPackages.join(', ') || 'none']],
      ),
    );
  }
  if (results.insights) {
    const { reads, consumer } = results.insights;
    sections.push(
      table(
        'GET /v1/insights: the reads of one answer, by vendor size and scope (read units billed by the published rules)',
        ['installations', 'scope', 'commands', 'round trips', 'items read', 'read units', 'ms (DynamoDB Local)'],
        Object.entries(reads).flatMap(([size, scopes]) =>
          Object.entries(scopes).map(([scope, read]) => [size, scope, String(read.commands), String(read.roundTrips), String(read.items), fixed(read.readUnits, 1), fixed(read.ms, 1)]),
        ),
      ),
      table(
        'The insights consumer, per heartbeat record (its counters in the vendor, customer and reseller scopes; its day and its license day)',
        ['heartbeats', 'commands', 'items written', 'ms (DynamoDB Local)'],
        [[String(consumer.heartbeats), fixed(consumer.commandsPerHeartbeat, 1), fixed(consumer.itemsWrittenPerHeartbeat, 1), fixed(consumer.msPerHeartbeat, 1)]],
      ),
    );
  }
  return sections.join('\n');
}
