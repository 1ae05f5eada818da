import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../packages/client/src/licensectl.js';
import { testSigner } from './client-fixtures.js';

let workDir: string;
let stdout: string;
let stderr: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'licensectl-'));
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(workDir, { recursive: true, force: true });
});

const run = (...args: string[]) => main([...args, '--state-dir', join(workDir, 'state')]);

describe('licensectl', () => {
  it.each([
    ['an unknown command', ['frobnicate'], /unknown command frobnicate/],
    ['an unknown option', ['status', '--colour'], /Unknown option '--colour'/],
    ['a command before init', ['status'], /run licensectl init --product <id> first/],
    ['a JWKS file that cannot be read', ['activate', 'KEY', '--product', 'authserver', '--jwks', '/nonexistent.json'], /cannot read the JWKS file/],
    ['no command at all', [], /no command/],
  ])('exits 2 for %s', async (_, args, message) => {
    expect(await run(...args)).toBe(2);
    expect(stderr).toMatch(message);
    // One line that says what is wrong and where help is, not the whole help.
    expect(stderr).not.toContain('Commands:');
    expect(stderr).toMatch(/\(licensectl --help lists the commands and options\)\n$/);
  });

  it('exits 2 for a count of active users that is not a whole number', async () => {
    const jwks = join(workDir, 'jwks.json');
    await writeFile(jwks, JSON.stringify((await testSigner()).jwks));
    await run('init', '--product', 'authserver', '--jwks', jwks);

    expect(await run('heartbeat', '--active-users', 'many')).toBe(2);
    expect(stderr).toMatch(/--active-users must be a whole number/);
    stderr = '';
    expect(await run('heartbeat', '--active-users', '-5')).toBe(2);
    expect(stderr).toBe('licensectl: --active-users must be 0 or more, not -5 (licensectl --help lists the commands and options)\n');
  });

  it('initialises an installation with pinned keys from a file and reports it not activated, offline', async () => {
    const jwks = join(workDir, 'jwks.json');
    await writeFile(jwks, JSON.stringify((await testSigner()).jwks));

    expect(await run('init', '--product', 'authserver', '--jwks', jwks)).toBe(0);
    stdout = '';
    expect(await run('status', '--json')).toBe(0);

    expect(JSON.parse(stdout)).toMatchObject({ installationId: expect.any(String), mode: 'limited', reasons: ['NOT_ACTIVATED'], seats: null, expiresAt: null });
    expect(stderr).toBe('');
  });

  it('prints a short summary without --json', async () => {
    const jwks = join(workDir, 'jwks.json');
    await writeFile(jwks, JSON.stringify((await testSigner()).jwks));
    await run('init', '--product', 'authserver', '--jwks', jwks);
    stdout = '';

    await run('status');

    expect(stdout).toMatch(/^installation {2}\S+\nmode {10}limited \(NOT_ACTIVATED\)\nrestricted {4}user-login/);
  });
});
