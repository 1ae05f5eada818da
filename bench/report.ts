import type { BenchResults } from './results.js';
import type { Spread } from './stats.js';

/** The targets of docs/PERFORMANCE.md, checked where the bench measures them. */
export const targets = {
  /** Operation p50 over floor p50, for the operations installations wait on. */
  overhead: { activation: 1.25, heartbeat: 1.25 } as Record<string, number>,
  /** A function's init over its floor bundle's init. */
  initRatio: 1.3,
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
        ['operation', 'p50', 'p99', 'HTTP p50', 'HTTP p99', 'floor p50', 'floor p99', 'overhead p50', 'target', 'floor calls'],
        Object.entries(results.latency).map(([id, latency]) => {
          const target = targets.overhead[id];
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
        ['operation', 'DynamoDB round trips', 'items written', 'condition checks', 'RRU', 'WRU', 'KMS Sign', 'KMS GetPublicKey', 'KMS Encrypt', 'target', 'commands'],
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
  if (results.throughput) {
    const { connections, heartbeatsPerSecond, errors, runs } = results.throughput;
    sections.push(
      table(
        `Throughput: heartbeats through the local service, ${connections} connections, ${runs.length} runs`,
        ['heartbeats/s', 'errors', 'latency p50 (ms)', 'latency p99 (ms)'],
        [[formatSpread(heartbeatsPerSecond, 0), String(errors), runs.map((run) => fixed(run.latencyP50Ms, 0)).join(' / '), runs.map((run) => fixed(run.latencyP99Ms, 0)).join(' / ')]],
      ),
    );
  }
  return sections.join('\n');
}
