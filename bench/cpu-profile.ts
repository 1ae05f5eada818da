import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Self time per request, in ms, of the heaviest frames of a CPU profile, grouped by where their code lives. */
export interface ProfileSummary {
  readonly requests: number;
  /** Everything the main thread did but wait (idle excluded), per request. */
  readonly busyMs: number;
  /** Self time by package (`@smithy/core`), Node module (`node:_http_client`), our file, or the VM's own (`(garbage collector)`). */
  readonly byCode: readonly (readonly [string, number])[];
  readonly topFunctions: readonly (readonly [string, number])[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds on the system's monotonic clock (`process.hrtime`), as is each sample after it. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: a package, a Node module, a file of the repository, or the VM itself. */
function codeOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage?.[1]) return inPackage[1];
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').split('/').slice(0, 2).join('/');
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(root) ? path.slice(root.length) : path;
}

function top(totals: Map<string, number>, count: number, requests: number): [string, number][] {
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, micros]) => [name, micros / 1000 / requests]);
}

/**
 * The summary of the largest `.cpuprofile` in `dir` (the service's main thread), spread over
 * `requests`: only the samples taken from `fromMicros` (`process.hrtime` of any process), after the
 * start and the warm-up.
 */
export async function summarizeProfile(dir: string, requests: number, root: string, fromMicros: number): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  const sized = await Promise.all(files.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })));
  const largest = sized.sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error(`no CPU profile was written to ${dir}`);
  const profile = JSON.parse(await readFile(join(dir, largest.name), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byCode = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (!node || at < fromMicros || node.callFrame.functionName === '(idle)') return;
    busy += micros;
    const code = codeOf(node.callFrame.url, node.callFrame.functionName, root);
    byCode.set(code, (byCode.get(code) ?? 0) + micros);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${code}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  return { requests, busyMs: busy / 1000 / requests, byCode: top(byCode, 15, requests), topFunctions: top(byFunction, 15, requests) };
}
