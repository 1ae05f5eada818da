/**
 * The on-prem client's size budget: what `npm pack` ships, and what installing it costs a project
 * (issue 14): bytes and packages in an empty project's node_modules, and no AWS SDK among them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClientSize {
  /** The client's tarball, and the files it unpacks to. */
  readonly packedBytes: number;
  readonly unpackedBytes: number;
  readonly files: number;
  /** node_modules of an empty project after `npm install` of the client (and the contract it depends on). */
  readonly installedBytes: number;
  readonly installedPackages: number;
  /** Installed packages named `@aws-sdk/*` or `@smithy/*`: none is the budget. */
  readonly awsSdkPackages: readonly string[];
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

async function pack(root: string, workspace: string, into: string): Promise<PackResult> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', into, '-w', workspace], { cwd: root });
  const [result] = JSON.parse(stdout) as PackResult[];
  if (!result) throw new Error(`npm pack of ${workspace} reported nothing`);
  return result;
}

/** Bytes of the files under `dir` and the package folders (`name` or `@scope/name`) directly in it. */
async function footprint(dir: string): Promise<{ bytes: number; packages: string[] }> {
  let bytes = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) bytes += (await stat(path)).size;
    }
  };
  await walk(dir);
  const packages: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) for (const scoped of await readdir(join(dir, entry.name))) packages.push(`${entry.name}/${scoped}`);
    else packages.push(entry.name);
  }
  return { bytes, packages };
}

export async function measureClientSize(root: string): Promise<ClientSize> {
  const dir = await mkdtemp(join(tmpdir(), 'license-client-size-'));
  try {
    const contract = await pack(root, 'packages/contract', dir);
    const client = await pack(root, 'packages/client', dir);
    const project = join(dir, 'project');
    await run('mkdir', [project]);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'client-size-probe', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, contract.filename), join(dir, client.filename)], { cwd: project });
    const installed = await footprint(join(project, 'node_modules'));
    return {
      packedBytes: client.size,
      unpackedBytes: client.unpackedSize,
      files: client.entryCount,
      installedBytes: installed.bytes,
      installedPackages: installed.packages.length,
      awsSdkPackages: installed.packages.filter((name) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
