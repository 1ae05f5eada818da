import { writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keyFileLoader, readOrCreateKeyFile } from '@license-activation/contract/key-file';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'key-file-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('readOrCreateKeyFile', () => {
  it('writes the generated content with mode 0600 when the file is missing', async () => {
    const path = join(dataDir, 'nested', 'secret.key');

    const content = await readOrCreateKeyFile(path, () => 'generated');

    expect(content).toBe('generated');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('returns the existing content without generating when the file is present', async () => {
    const path = join(dataDir, 'secret.key');
    await writeFile(path, 'existing');
    const generate = vi.fn(() => 'generated');

    const content = await readOrCreateKeyFile(path, generate);

    expect(content).toBe('existing');
    expect(generate).not.toHaveBeenCalled();
  });

  it('keeps a file another process created after it looked, and returns that file’s content', async () => {
    const path = join(dataDir, 'secret.key');
    const generateWhileAnotherProcessWins = () => {
      writeFileSync(path, 'winner');
      return 'loser';
    };

    const content = await readOrCreateKeyFile(path, generateWhileAnotherProcessWins);

    expect(content).toBe('winner');
    expect(await readFile(path, 'utf8')).toBe('winner');
    expect(await readdir(dataDir)).toEqual(['secret.key']);
  });

  it('gives every racer the winner’s content and leaves no temp file behind', async () => {
    const path = join(dataDir, 'secret.key');

    const contents = await Promise.all(Array.from({ length: 10 }, (_, n) => readOrCreateKeyFile(path, () => `racer-${n}`)));

    expect(new Set(contents).size).toBe(1);
    expect(await readdir(dataDir)).toEqual(['secret.key']);
  });
});

describe('keyFileLoader', () => {
  it('reads and parses the key once for many loads', async () => {
    const parse = vi.fn((content: string) => content.toUpperCase());
    const load = keyFileLoader(join(dataDir, 'secret.key'), { generate: () => 'generated', parse });

    const loaded = await Promise.all([load(), load(), load()]);

    expect(loaded).toEqual(['GENERATED', 'GENERATED', 'GENERATED']);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('tries again after a failed load', async () => {
    const parse = vi.fn((content: string) => content).mockImplementationOnce(() => {
      throw new TypeError('corrupt key');
    });
    const load = keyFileLoader(join(dataDir, 'secret.key'), { generate: () => 'generated', parse });

    await expect(load()).rejects.toThrow('corrupt key');
    await expect(load()).resolves.toBe('generated');
  });
});
