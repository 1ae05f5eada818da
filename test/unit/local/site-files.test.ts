import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '#dev/local-server.js';

let root: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = `${await mkdtemp(join(tmpdir(), 'site-'))}${sep}`;
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>site</title>');
  await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  server = createLocalServer({ siteRoot: root, loadHandler: async (name) => Promise.reject(new Error(`no function ${name} in this test`)) });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  await rm(root, { recursive: true, force: true });
});

describe('Local server: the license site', () => {
  it.each(['/', '/licenses', '/licenses/lic_123', '/activate?code=BCDF-GHJK'])('answers the page %s with index.html and the strict headers', async (path) => {
    const response = await fetch(`${baseUrl}${path}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<title>site</title>');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a hashed asset with its type, cached for good', async () => {
    const response = await fetch(`${baseUrl}/assets/app-1234.js`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log(1)');
  });

  it.each([
    ['a missing asset', '/assets/missing.js'],
    ['a path that is not valid percent-encoding', '/%E0%A4%A'],
    ['an unknown API path', '/v1/unknown'],
  ])('answers 404 NOT_FOUND to %s', async (_, path) => {
    const response = await fetch(`${baseUrl}${path}`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('never serves a file outside the site folder', async () => {
    const response = await fetch(`${baseUrl}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`);

    // The path stays inside the site: a page path, so the app answers (and shows its own "not found").
    expect(await response.text()).toBe('<!doctype html><title>site</title>');
  });

  it('answers a write to a page path as an unknown route, not with the site', async () => {
    const response = await fetch(`${baseUrl}/licenses`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(404);
  });
});
