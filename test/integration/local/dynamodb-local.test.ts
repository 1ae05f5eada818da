import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';

describe('startDynamodbLocal', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('fails with a message naming Java when `java` is not on the PATH', async () => {
    const binWithoutJava = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync('/bin/sh', join(binWithoutJava, 'sh'));
    vi.stubEnv('PATH', binWithoutJava);
    try {
      await expect(startDynamodbLocal()).rejects.toThrow(/needs Java, but `java` is not on the PATH/);
    } finally {
      rmSync(binWithoutJava, { recursive: true, force: true });
    }
  });
});
