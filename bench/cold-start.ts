import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { functionEnvironment } from '#cdk/constructs/service-function.js';
import type { Bundle } from './bundles.js';
import { shuffled } from './stats.js';

/** One fresh process importing one bundle: wall time and CPU time from `import()` to its handler. */
export interface InitSample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Runs in the fresh process: imports the bundle as the Lambda runtime would (ESM, by URL) and
 * reports the time until the module and its handler are there. Node's own start is left out, as it
 * is the same for every bundle.
 */
const probeSource = `import { pathToFileURL } from 'node:url';
const url = pathToFileURL(process.argv[2]).href;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const module = await import(url);
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (typeof module.handler !== 'function') throw new TypeError(url + ' exports no handler');
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

/** What Lambda would set: the stack's environment for every function, with placeholder resources. */
const lambdaEnvironment = (functionName: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  ...functionEnvironment({ stage: 'dev', issuer: 'license-activation', logLevel: 'INFO' }),
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: `license-activation-dev-${functionName}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  TABLE_NAME: 'license-activation-dev',
  SIGNING_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000001',
  ENCRYPTION_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000002',
});

function measureOnce(probe: string, bundle: Bundle): Promise<InitSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe, bundle.file], { env: lambdaEnvironment(bundle.id), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`${bundle.id} did not start (exit ${code}): ${stderr.trim()}`));
      else resolve(JSON.parse(stdout) as InitSample);
    });
  });
}

/**
 * Starts a fresh `node` for every bundle, `rounds` times. Each round visits the bundles in a new
 * random order, one process at a time, so that a busy moment of the machine lands on all of them.
 */
export async function measureInits(bundles: readonly Bundle[], options: { rounds: number; cacheDir: string }): Promise<Map<string, InitSample[]>> {
  const probe = join(options.cacheDir, 'init-probe.mjs');
  await writeFile(probe, probeSource);
  const samples = new Map<string, InitSample[]>(bundles.map((bundle) => [bundle.id, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const bundle of shuffled(bundles)) samples.get(bundle.id)?.push(await measureOnce(probe, bundle));
  }
  return samples;
}
