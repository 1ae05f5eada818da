import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStore, stateFileName } from '../../../packages/client/src/state-store.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'client-state-'));
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('reads an empty state before anything was written', async () => {
    expect(await new StateStore(stateDir).read()).toEqual({});
  });

  it('writes the state readable by its owner only, and leaves no temp file behind', async () => {
    const store = new StateStore(stateDir);

    await store.update((state) => ({ ...state, token: 'token-1', highestTimeSeen: 1_000 }));

    expect(await new StateStore(stateDir).read()).toEqual({ token: 'token-1', highestTimeSeen: 1_000 });
    expect((await stat(join(stateDir, stateFileName))).mode & 0o777).toBe(0o600);
    expect(await readdir(stateDir)).toEqual([stateFileName]);
  });

  it('applies concurrent updates one after the other, losing none', async () => {
    const store = new StateStore(stateDir);

    await Promise.all(Array.from({ length: 20 }, () => store.update((state) => ({ ...state, highestTimeSeen: (state.highestTimeSeen ?? 0) + 1 }))));

    expect((await store.read()).highestTimeSeen).toBe(20);
  });

  it('writes nothing when the change throws, and keeps working after', async () => {
    const store = new StateStore(stateDir);
    await store.update(() => ({ token: 'kept' }));

    await expect(store.update(() => {
      throw new Error('refused');
    })).rejects.toThrow('refused');
    await store.update((state) => ({ ...state, highestTimeSeen: 5 }));

    expect(await store.read()).toEqual({ token: 'kept', highestTimeSeen: 5 });
  });

  it('reads a file that is not valid state as empty (no token: fail closed)', async () => {
    await writeFile(join(stateDir, stateFileName), '{"token": 42');

    expect(await new StateStore(stateDir).read()).toEqual({});
    expect(await readFile(join(stateDir, stateFileName), 'utf8')).toBe('{"token": 42');
  });
});
