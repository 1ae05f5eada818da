import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '#dev/dynamodb-local.js';

// `npm start` (scripts/start.ts) as a child process, the way a developer runs it.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly baseUrl: string;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Service[] = [];
const dataDirs: string[] = [];

/** Kills what a test left running and removes its data folders (an `afterEach`). */
export async function cleanUpServices(): Promise<void> {
  for (const service of started.splice(0)) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
}

export function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'activation-start-'));
  dataDirs.push(dataDir);
  return dataDir;
}

/** Starts scripts/start.ts and resolves once it prints its `listening on` line. */
export async function startService(environment: Record<string, string>): Promise<Service> {
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ...environment };
  // What the tests' own setup sets (test/support/setup.ts) and a developer's shell has not, unless a test sets it.
  for (const name of ['DYNAMODB_ENDPOINT', 'OPS_API_KEY', 'TABLE_NAME', 'PUBLIC_BASE_URL', 'POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL'] as const) if (!(name in environment)) delete env[name];
  const child = spawn(process.execPath, ['--conditions=@license-activation/source', '--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const service: Service = { child, baseUrl: `http://127.0.0.1:${port}`, stdout: [], stderr: [], exited };
  started.push(service);
  child.stderr.on('data', (chunk: Buffer) => service.stderr.push(chunk.toString()));
  await new Promise<void>((ready, failed) => {
    child.stdout.on('data', (chunk: Buffer) => {
      service.stdout.push(...chunk.toString().split('\n').filter(Boolean));
      if (service.stdout.some((line) => line.startsWith('listening on'))) ready();
    });
    void exited.then(({ code, signal }) => failed(new Error(`npm start ended (${code ?? signal}) before listening:\n${service.stderr.join('')}`)));
  });
  return service;
}

export async function stopService(service: Service, signal: NodeJS.Signals) {
  service.child.kill(signal);
  const exit = await service.exited;
  started.splice(started.indexOf(service), 1);
  return exit;
}
