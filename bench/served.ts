/**
 * The service as a user runs it: `npm start` in a process of its own, driven from outside over HTTP,
 * and the CPU its processes spend, read from /proc.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServedService {
  readonly baseUrl: string;
  /** The process `npm start` runs as; its descendants are the service too. */
  readonly pid: number;
  stop(): Promise<void>;
}

const clockTicksPerSecond = 100;

/**
 * `npm start` with `environment` (PORT=0: a free port), resolved once it prints that it listens.
 * Its output is read and dropped, as a terminal would show it. With `nodeFlags` (Node refuses
 * `--cpu-prof` in NODE_OPTIONS) it runs what `npm start` runs, scripts/start.ts under tsx, with them.
 */
export function startServed(cwd: string, environment: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): Promise<ServedService> {
  const [command, args] =
    nodeFlags.length === 0
      ? ['npm', ['start', '--silent']]
      : [process.execPath, [...nodeFlags, '--conditions=@license-activation/source', '--import', 'tsx', 'scripts/start.ts']];
  // A process group of its own, so that stopping it reaches the service under npm, as Ctrl-C in a terminal would.
  const child: ChildProcess = spawn(command, args, { cwd, env: { ...environment, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid, 'SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString('utf8');
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening?.[1] && child.pid !== undefined) resolve({ baseUrl: listening[1], pid: child.pid, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening:\n${output}`)));
  });
}

/** User plus system CPU milliseconds of a process and all its descendants, alive now (Linux /proc). */
export async function processTreeCpuMs(rootPid: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(join('/proc', name, 'stat'), 'utf8').catch(() => undefined);
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
    if (!fields) continue;
    stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  let ticks = 0;
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === pid) pending.push(child);
  }
  return (ticks * 1000) / clockTicksPerSecond;
}
