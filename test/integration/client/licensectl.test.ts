/**
 * `licensectl` end to end: the built CLI, run as `npx licensectl` runs it (packages/client/bin), against the
 * local service (`npm start`'s scripts/start.ts) in a child process.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LicenseStatus } from '../../../packages/client/src/license-status.js';
import { AccountCreated, LicenseIssued, TokenResult } from '@license-activation/contract/schemas';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const launcher = join(repoRoot, 'packages', 'client', 'bin', 'licensectl.js');
const opsApiKey = `lak_e2e-${randomUUID()}`;

let workDir: string;
let service: ChildProcess | undefined;
let baseUrl: string;

/** Starts scripts/start.ts on a free port and resolves with its URL once it prints that it listens. */
function startService(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=@license-activation/source', '--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    // PUBLIC_BASE_URL empty: the service names its own URL, on whatever port it gets, as `npm start` does.
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, OPS_API_KEY: opsApiKey, PUBLIC_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening?.[1]) resolve({ child, url: listening[1] });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening:\n${output}`)));
  });
}

async function stopService(): Promise<void> {
  const child = service;
  service = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function licensectl(stateDir: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [launcher, ...args, '--state-dir', stateDir], { cwd: workDir }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

async function succeeds(run: Promise<CliRun>): Promise<string> {
  const { code, stdout, stderr } = await run;
  expect(stderr, stdout).toBe('');
  expect(code).toBe(0);
  return stdout;
}

async function status(stateDir: string): Promise<LicenseStatus> {
  return JSON.parse(await succeeds(licensectl(stateDir, 'status', '--json'))) as LicenseStatus;
}

async function post(path: string, body?: unknown, apiKey?: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok, `${path} answered ${response.status}`).toBe(true);
  return response.json();
}

/** A users license for a newly registered customer, issued by ops. */
async function issueAuthserverLicense(quantity: number) {
  const { account } = AccountCreated.parse(await post('/v1/accounts/register', { name: 'E2E Customer', email: 'it@e2e.example' }));
  return LicenseIssued.parse(await post('/v1/licenses', { customerId: account.id, productId: 'authserver', type: 'users', quantity }, opsApiKey));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'licensectl-e2e-'));
  const started = await startService(join(workDir, 'service-data'));
  service = started.child;
  baseUrl = started.url;
}, 60_000);

afterAll(async () => {
  await stopService();
  await rm(workDir, { recursive: true, force: true });
});

// Each case runs the CLI in child processes against a child service: generous on a busy machine.
describe('licensectl', { timeout: 120_000 }, () => {
  it('starts a trial, activates a key, and turns limited LICENSE_SUSPENDED after a suspension and a heartbeat', async () => {
    const stateDir = join(workDir, 'online');
    const init = await succeeds(licensectl(stateDir, 'init', '--server', baseUrl, '--product', 'authserver', '--product-version', '5.0.0', '--pin-server-keys'));
    expect(init).toMatch(/trust on first use/);

    await succeeds(licensectl(stateDir, 'trial'));
    expect(await status(stateDir)).toMatchObject({ mode: 'full', seats: { users: 25 }, trialEndsAt: expect.any(String) });

    const { license, key } = await issueAuthserverLicense(40);
    expect(await succeeds(licensectl(stateDir, 'activate', key))).toContain(`activated license ${license.id}`);
    expect(await status(stateDir)).toMatchObject({ mode: 'full', reasons: [], seats: { users: 40, consumed: 0 }, trialEndsAt: null, expiresAt: expect.any(String), warnings: [] });

    await post(`/v1/licenses/${license.id}/suspend`, undefined, opsApiKey);
    await succeeds(licensectl(stateDir, 'heartbeat', '--active-users', '3'));
    const suspended = await status(stateDir);

    expect(suspended).toMatchObject({ mode: 'limited', reasons: ['LICENSE_SUSPENDED'], seats: { consumed: 3 } });
    expect(suspended.restricted).toContain('user-login');
  });

  it("shows the installation's last 7 days as a sparkline with status --usage, once the service kept its heartbeat", async () => {
    const stateDir = join(workDir, 'usage');
    await succeeds(licensectl(stateDir, 'init', '--server', baseUrl, '--product', 'authserver', '--product-version', '5.0.0', '--pin-server-keys'));
    const { key } = await issueAuthserverLicense(10);
    await succeeds(licensectl(stateDir, 'activate', key));
    // Plain status stays offline: no usage line.
    expect(await succeeds(licensectl(stateDir, 'status'))).not.toMatch(/last 7 days/);
    await succeeds(licensectl(stateDir, 'heartbeat', '--active-users', '4'));
    const today = new Date().toISOString().slice(0, 10);
    // The stream consumer inside the service keeps the history within seconds of the heartbeat.
    await expect
      .poll(async () => (await succeeds(licensectl(stateDir, 'status', '--usage'))).split('\n').find((line) => line.startsWith('last 7 days')), { timeout: 30_000, interval: 500 })
      .toBe(`last 7 days   ▁▁▁▁▁▁█  peak 4 active users (${today}), 1 heartbeat`);
    const json = JSON.parse(await succeeds(licensectl(stateDir, 'status', '--usage', '--json'))) as { usage: { date: string; activeUsersPeak: number }[] };
    expect(json.usage.map((day) => day.activeUsersPeak)).toEqual([0, 0, 0, 0, 0, 0, 4]);
    expect(json.usage.at(-1)?.date).toBe(today);
  });

  it('prints the service\'s code and detail for a refused key, and exits non-zero', async () => {
    const stateDir = join(workDir, 'refused');
    await succeeds(licensectl(stateDir, 'init', '--server', baseUrl, '--product', 'authserver', '--pin-server-keys'));

    const refused = await licensectl(stateDir, 'activate', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE');

    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^licensectl: KEY_MALFORMED: .+\(status 400, request .+\)\n$/);
  });

  it('reads a key as people type it: in groups with spaces, lower case, O for 0 and I or L for 1', async () => {
    const stateDir = join(workDir, 'typed');
    await succeeds(licensectl(stateDir, 'init', '--server', baseUrl, '--product', 'authserver', '--pin-server-keys'));
    const { license, key } = await issueAuthserverLicense(5);
    const typed = key.toLowerCase().replaceAll('0', 'O').replaceAll('1', 'l').split('-');

    expect(await succeeds(licensectl(stateDir, 'activate', ...typed))).toContain(`activated license ${license.id}`);
  });

  it('says where to free a slot when the license is full, and that a license it does not hold cannot be released', async () => {
    const { license, key } = await issueAuthserverLicense(5);
    const [first, second] = [join(workDir, 'full-1'), join(workDir, 'full-2')];
    for (const stateDir of [first, second]) await succeeds(licensectl(stateDir, 'init', '--server', baseUrl, '--product', 'authserver', '--pin-server-keys'));
    await succeeds(licensectl(first as string, 'activate', key));

    const full = await licensectl(second as string, 'activate', key);
    const unknown = await licensectl(second as string, 'release', license.id);

    expect(full.code).toBe(1);
    expect(full.stderr).toContain('TOO_MANY_ACTIVATIONS');
    expect(full.stderr).toContain(`licensectl release ${license.id}`);
    expect(full.stderr).toContain(`${baseUrl}/licenses/${license.id}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(new RegExp(`^licensectl: NOT_FOUND: license ${license.id} is not activated on this installation`));
  });

  it('activates offline with a request file and a license file, and stays full with the service stopped', async () => {
    // Prepare: the vendor's keys, pinned from a file as a product build would.
    const stateDir = join(workDir, 'offline');
    const jwksFile = join(workDir, 'vendor-jwks.json');
    await writeFile(jwksFile, await (await fetch(`${baseUrl}/.well-known/jwks.json`)).text());
    await succeeds(licensectl(stateDir, 'init', '--product', 'authserver', '--jwks', jwksFile));
    const { key } = await issueAuthserverLicense(15);

    // Act: the request file travels to a connected machine, the license file comes back.
    const requestFile = join(workDir, 'activation-request.jwt');
    await succeeds(licensectl(stateDir, 'request-file', key, '--out', requestFile));
    const licenseFile = join(workDir, 'license.jwt');
    const workstation = join(workDir, 'admin-workstation');
    await succeeds(licensectl(workstation, 'offline-exchange', requestFile, '--server', baseUrl, '--out', licenseFile));
    const again = await licensectl(workstation, 'offline-exchange', requestFile, '--server', baseUrl, '--out', join(workDir, 'again.jwt'));
    await stopService();
    const imported = await succeeds(licensectl(stateDir, 'import-file', licenseFile));

    // Assess: a license file asks for no refresh before it ends, so its summary gives its expiry once.
    expect(imported.split('\n').find((line) => line.startsWith('token expires'))).toMatch(/^token expires +\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(await status(stateDir)).toMatchObject({ mode: 'full', reasons: [], seats: { users: 15 } });
    expect(TokenResult.shape.token.safeParse((await readFile(licenseFile, 'utf8')).trim()).success).toBe(true);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^licensectl: CONFLICT: .+\(status 409, request .+\)\n$/);
    await expect(readFile(join(workDir, 'again.jwt'))).rejects.toThrow();
  });

});

