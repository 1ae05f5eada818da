/**
 * The client as a vendor gets it: `npm pack` of both published packages, installed from the tarballs
 * into an empty project, then used from plain JavaScript (ESM), type-checked from TypeScript against
 * the shipped `.d.ts`, and `npx licensectl --help`. Nothing from this repository is on the path, and
 * the vendor's side runs on the oldest Node the client supports (its `engines`), not the project's own.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const typescriptCompiler = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

const clientEngines = (JSON.parse(readFileSync(join(repoRoot, 'packages', 'client', 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
const [, minimumMajor = '', minimumMinor = ''] = /^>=(\d+)\.(\d+)$/.exec(clientEngines) ?? [];
/** PATH without the project's `node_modules/.bin`, where npm puts the project's own Node 24. */
const pathOutsideProject = (process.env.PATH ?? '').split(delimiter).filter((folder) => folder && !folder.includes(`node_modules${sep}.bin`));

let project: string;
/** The oldest supported Node's folder first on PATH, then `pathOutsideProject`. */
let vendorEnv: NodeJS.ProcessEnv;
let oldestNode: string;

/**
 * A `node` of the client's minimum major, at or above its minimum version (`>=20.19`: a 20.x), from
 * `OLDEST_NODE` or else `pathOutsideProject`: the system Node on these machines.
 */
async function findOldestSupportedNode(): Promise<string> {
  if (!minimumMajor) throw new TypeError(`the client's engines.node is not >=MAJOR.MINOR: ${clientEngines}`);
  const candidates = process.env.OLDEST_NODE
    ? [process.env.OLDEST_NODE]
    : pathOutsideProject.map((folder) => join(folder, 'node'));
  for (const candidate of candidates) {
    const version = await run(candidate, ['-p', 'process.versions.node']).then(({ stdout }) => stdout.trim().split('.').map(Number), () => []);
    if (version[0] === Number(minimumMajor) && (version[1] ?? 0) >= Number(minimumMinor)) return candidate;
  }
  throw new Error(`no Node ${minimumMajor}.x (≥ ${minimumMajor}.${minimumMinor}) found in ${candidates.join(', ')}: set OLDEST_NODE to one`);
}

async function npm(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  oldestNode = await findOldestSupportedNode();
  vendorEnv = { ...process.env, PATH: [dirname(oldestNode), ...pathOutsideProject].join(delimiter) };
  project = await mkdtemp(join(tmpdir(), 'client-install-'));
  const tarballs = join(project, 'tarballs');
  await mkdir(tarballs);
  const packages = ['--workspace', '@license-activation/contract', '--workspace', '@license-activation/client'];
  // The two packages only: the root build also builds the license site, which no package ships.
  await npm(repoRoot, process.env, 'run', 'build', ...packages);
  await npm(repoRoot, process.env, 'pack', ...packages, '--pack-destination', tarballs);
  const packed = (await readdir(tarballs)).map((file) => join(tarballs, file));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'vendor-product', version: '1.0.0', private: true, type: 'module' }));
  await npm(project, vendorEnv, 'install', ...packed);
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

// npm and tsc in child processes: generous on a busy machine, where each step may take several times its usual seconds.
describe('the packed client, installed into an empty project', { timeout: 120_000 }, () => {
  it('installs without the service or the AWS SDK', async () => {
    const installed = await readdir(join(project, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['@license-activation', 'jose', 'zod']));
    expect(installed).not.toContain('@aws-sdk');
    expect(await readdir(join(project, 'node_modules', '@license-activation'))).toEqual(['client', 'contract']);
  });

  it(`runs from plain JavaScript on the oldest Node it supports (${clientEngines}): a license decision offline and an activation request file`, async () => {
    const script = `
      import { LicenseClient, evaluateLicenseStatus } from '@license-activation/client';
      import { generateKeyPairSync } from 'node:crypto';
      import { mkdtemp } from 'node:fs/promises';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const client = new LicenseClient({
        productId: 'vault',
        productVersion: '5.2.0',
        stateDir: await mkdtemp(join(tmpdir(), 'state-')),
        pinnedKeys: { keys: [{ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] },
        machineProbes: { hostname: () => 'vault-01', readText: async () => undefined, run: async () => undefined },
      });
      const status = await client.status();
      const file = await client.createRequestFile('ABCDE-FGHIJ-KLMNO-PQRST-UVWXY');
      const header = JSON.parse(Buffer.from(file.split('.')[0], 'base64url').toString('utf8'));
      console.log(JSON.stringify({ node: process.versions.node.split('.')[0], mode: status.mode, reasons: status.reasons, typ: header.typ, alg: header.alg, crv: header.jwk.crv, evaluate: typeof evaluateLicenseStatus }));
    `;
    await writeFile(join(project, 'use.mjs'), script);
    const { stdout } = await run(oldestNode, ['use.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({ node: minimumMajor, mode: 'limited', reasons: ['NOT_ACTIVATED'], typ: 'activation-request+jwt', alg: 'ES256', crv: 'P-256', evaluate: 'function' });
  });

  it('type-checks from TypeScript against the shipped declarations, which also refuse a misuse', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true, skipLibCheck: false, types: [], typeRoots: [join(repoRoot, 'node_modules', '@types')] }, files: ['use.ts'] }),
    );
    const source = `
      import { LicenseClient, LicenseClientError } from '@license-activation/client';
      import type { LicenseStatus } from '@license-activation/client';
      import { LicenseTokenClaims } from '@license-activation/contract/license-token';
      const client = new LicenseClient({ productId: 'vault', productVersion: '5.2.0', stateDir: 'license-state', pinnedKeys: { keys: [] } });
      const status: Promise<LicenseStatus> = client.status();
      const isError = (error: unknown): boolean => error instanceof LicenseClientError && error.code.length > 0;
      // @ts-expect-error productVersion, stateDir and pinnedKeys are required: tsc fails if the declarations let this through
      new LicenseClient({ productId: 'vault' });
      export { status, isError, LicenseTokenClaims };
    `;
    await writeFile(join(project, 'use.ts'), source);
    const checked = await run(process.execPath, [typescriptCompiler, '-p', project], { cwd: project }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(checked).toBe('');
  });

  it('runs `npx licensectl --help` on the oldest Node it supports', async () => {
    const { stdout } = await run('npx', ['--no-install', 'licensectl', '--help'], { cwd: project, env: vendorEnv });
    // The bin's `#!/usr/bin/env node`, as npx resolves it in that project: the oldest supported Node.
    const { stdout: shebangNode } = await run('npm', ['exec', '--no-install', '-c', 'node -p process.versions.node'], { cwd: project, env: vendorEnv });
    expect(shebangNode.trim().split('.')[0]).toBe(minimumMajor);
    expect(stdout).toMatch(/^Usage: licensectl <command>/);
    expect(stdout).toContain('activate <key>');
  });
});
