/**
 * The npm scripts a user runs that no other test runs, each briefly, as `npm run <script>` from the
 * repository root with a user's environment (none of the settings the test setup gives this process:
 * its table, its ops key, its PUBLIC_BASE_URL), so that a script broken for users breaks `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDirs: string[] = [];

afterEach(async () => {
  for (const dataDir of dataDirs.splice(0)) await rm(dataDir, { recursive: true, force: true });
});

/** What a user's shell passes on: where programs are, home, temp and Java; nothing of this test run. */
function userEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const passed = ['PATH', 'HOME', 'TMPDIR', 'JAVA_HOME'].filter((name) => process.env[name] !== undefined);
  return { ...Object.fromEntries(passed.map((name) => [name, process.env[name]])), ...settings };
}

function npmRun(args: readonly string[], settings: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', ...args], { cwd: repoRoot, env: userEnvironment(settings), maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

async function newDataDir(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'npm-script-'));
  dataDirs.push(dataDir);
  return dataDir;
}

describe('npm scripts, as a user runs them', () => {
  it('npm run soak: one kill under load, activations acknowledged, none lost, the ledger whole', { timeout: 240_000 }, async () => {
    const { code, stdout, stderr } = await npmRun(['soak'], { SOAK_KILLS: '1' });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [, acknowledged] = /^(\d+) acknowledged, 0 lost, invariants ok$/m.exec(stdout) ?? [];
    expect(Number(acknowledged), stdout).toBeGreaterThan(0);
  });

  it('npm run invoke: a trial started from its sample event, with a fresh proof, on its own DynamoDB Local', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await npmRun(['invoke', '--', 'start-trial', 'events/startTrial.json'], { DATA_DIR: await newDataDir() });

    // On a fresh database it says, and only says, that it created what the sample events name.
    expect({ code, stderr }).toEqual({ code: 0, stderr: "created the sample events' accounts and license (dev/sample-world.ts)\n" });
    // The function's log line, then the response: status, headers, a blank line, the body.
    const response = stdout.slice(stdout.indexOf('\nHTTP ') + 1);
    expect(response.split('\n')[0]).toBe('HTTP 201');
    const body = JSON.parse(response.slice(response.indexOf('\n\n'))) as { token: string; installation: { trial: unknown } };
    expect(body.token.split('.')).toHaveLength(3);
    expect(body.installation.trial).toBeDefined();
  });

  it('npm run bench -- --quick --only=probe: npm start against the minimum floor, every figure measured', { timeout: 240_000 }, async () => {
    const out = join(await newDataDir(), 'results.json');
    const { code, stdout, stderr } = await npmRun(['bench', '--', '--quick', '--only=probe', `--out=${out}`], {});

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain("Probe: npm start from another process against the contract's minimum floor");
    const { probe } = JSON.parse(await readFile(out, 'utf8')) as { probe: { latency: Record<string, { ratio: { median: number } }>; cpu: { ratio: { median: number } }; throughput: { ratio: { median: number }; cpuRatio: { median: number }; errors: number } } };
    const figures = [probe.latency.heartbeat?.ratio.median, probe.latency.activation?.ratio.median, probe.cpu.ratio.median, probe.throughput.ratio.median, probe.throughput.cpuRatio.median];
    for (const figure of figures) expect(figure).toBeGreaterThan(0);
    expect(probe.throughput.errors).toBe(0);
  });
});
