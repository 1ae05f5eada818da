import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../packages/client/src/licensectl.js';
import { licenseClaims, testSigner } from './client-fixtures.js';
import { StateStore } from '../../../packages/client/src/state-store.js';

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

  describe('a copy of the installation (API.md §10)', () => {
    /** An initialised installation holding a license file of `warnings`, issued a minute ago (licensectl reads the real clock). */
    async function initialisedWithToken(warnings: { code: 'CLONE_DETECTED'; detail: string }[]) {
      const signer = await testSigner();
      const jwks = join(workDir, 'jwks.json');
      await writeFile(jwks, JSON.stringify(signer.jwks));
      await run('init', '--product', 'authserver', '--jwks', jwks);
      const installationId = stdout.match(/installation (\S+) for authserver/)?.[1] ?? '';
      const iat = Math.floor(Date.now() / 1000) - 60;
      const claims = licenseClaims(installationId, { iat, exp: iat + 20 * 86_400, refreshAfter: iat + 86_400, warnings, chain: 'chain-of-this-installation' });
      await writeFile(join(workDir, 'license.jwt'), await signer.sign(claims));
      expect(await run('import-file', join(workDir, 'license.jwt'))).toBe(0);
      stdout = '';
      return { jwks, installationId };
    }

    it('says plainly that a clone was detected, and what to do', async () => {
      await initialisedWithToken([{ code: 'CLONE_DETECTED', detail: 'the service says so' }]);

      expect(await run('status')).toBe(0);

      expect(stdout).toContain('clone         a copy of this installation was detected: another server runs with its key (a cloned virtual machine, or a backup restored beside the original)\n');
      expect(stdout).toContain('              each server needs its own installation: `licensectl init --new-key` on the copy and activate it; your reseller clears the detection\n');
      expect(stdout).not.toContain('warning');
    });

    it('says nothing of clones while none is detected', async () => {
      await initialisedWithToken([]);
      await run('status');
      expect(stdout).not.toMatch(/clone|copy/);
    });

    it('makes the copy a new installation with init --new-key: a new key, no license until activated', async () => {
      const { jwks, installationId } = await initialisedWithToken([{ code: 'CLONE_DETECTED', detail: 'the service says so' }]);

      expect(await run('init', '--new-key', '--jwks', jwks)).toBe(0);

      const [, newId] = stdout.match(/new installation (\S+) for authserver/) ?? [];
      expect(newId).toBeDefined();
      expect(newId).not.toBe(installationId);
      expect(stdout).toContain('activate it: licensectl activate <key>');
      const state = await new StateStore(join(workDir, 'state')).read();
      expect(state).toEqual({ installationId: newId, highestTimeSeen: expect.any(Number) });
      stdout = '';
      await run('status', '--json');
      expect(JSON.parse(stdout)).toMatchObject({ installationId: newId, mode: 'limited', reasons: ['NOT_ACTIVATED'], warnings: [] });
    });
  });
});
