import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLocalUserPool, localCognitoClient, startCognitoLocal } from '#dev/cognito-local.js';
import { secureDataDir } from '#dev/local-data-dir.js';

// cognito-local keeps people's passwords in clear in its files: they must be the owner's alone.

const dataDirs: string[] = [];
afterEach(() => {
  for (const dataDir of dataDirs.splice(0)) rmSync(dataDir, { recursive: true, force: true });
});

function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'activation-cognito-'));
  dataDirs.push(dataDir);
  return dataDir;
}

/** Every file and folder under `root` (itself excluded), with its permission bits. */
function modesUnder(root: string): Record<string, number> {
  const modes: Record<string, number> = {};
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) modes[entry] = statSync(join(root, entry)).mode & 0o777;
  return modes;
}

describe('cognito-local under $DATA_DIR', () => {
  it("writes its pools, clients and people's passwords owner-only (files 0600, folders 0700)", async () => {
    const dataDir = join(newDataDir(), 'cognito');
    const directory = await startCognitoLocal({ dataDir, fixedCode: '123456' });
    try {
      const pool = await ensureLocalUserPool(directory.endpoint, join(dataDir, '..', 'user-pool.json'));
      const client = localCognitoClient(directory.endpoint);
      await client.send(new SignUpCommand({ ClientId: pool.clientId, Username: 'person@example.com', Password: 'Correct-horse-9' }));
      client.destroy();
    } finally {
      await directory.stop();
    }
    const modes = modesUnder(dataDir);

    expect(Object.keys(modes).some((entry) => entry.endsWith('.json'))).toBe(true);
    for (const [entry, mode] of Object.entries(modes)) expect({ entry, mode }).toEqual({ entry, mode: statSync(join(dataDir, entry)).isDirectory() ? 0o700 : 0o600 });
  });

  it('tightens what an older version left readable under $DATA_DIR/cognito, at start', async () => {
    const dataDir = newDataDir();
    const db = join(dataDir, 'cognito', '.cognito', 'db');
    mkdirSync(db, { recursive: true, mode: 0o755 });
    writeFileSync(join(db, 'local_pool.json'), '{"Users":{}}\n', { mode: 0o644 });
    chmodSync(join(db, 'local_pool.json'), 0o644);

    const tightened = await secureDataDir(dataDir);

    expect(modesUnder(join(dataDir, 'cognito'))).toEqual({ '.cognito': 0o700, '.cognito/db': 0o700, '.cognito/db/local_pool.json': 0o600 });
    expect(tightened).toEqual(expect.arrayContaining([expect.stringMatching(/local_pool\.json \(was 0644, now 0600\)$/)]));
  });
});
