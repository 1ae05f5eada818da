import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * The content of a secret key file (mode 0600), written with `generate()` if the file is missing.
 * The new content goes to a temp file first and is then hard-linked into place: unlike a rename,
 * a link never replaces a file, so when two processes race the loser gets EEXIST and reads the
 * winner's key instead of overwriting a key that may already be in use. Either way, nobody ever
 * sees a half-written file.
 */
export async function readOrCreateKeyFile(path: string, generate: () => string): Promise<string> {
  const existing = await readIfPresent(path);
  if (existing !== undefined) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, generate(), { mode: 0o600, flag: 'wx' });
    await link(temp, path).catch((error: unknown) => {
      if (!hasCode(error, 'EEXIST')) throw error;
    });
  } finally {
    await rm(temp, { force: true });
  }
  return readFile(path, 'utf8');
}

/**
 * A loader for a key kept in a key file: read (or created) and parsed on first use, then kept for
 * the life of the process. A failed load is not kept, so the next call tries again.
 */
export function keyFileLoader<T>(path: string, options: { generate: () => string; parse: (content: string) => T | Promise<T> }): () => Promise<T> {
  let loading: Promise<T> | undefined;
  const load = async () => options.parse(await readOrCreateKeyFile(path, options.generate));
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
