import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '#dev/local-server.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let root: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  root = `${await mkdtemp(join(tmpdir(), 'site-'))}${sep}`;
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>site</title>');
  await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  const health = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"status":"ok"}' });
  server = createLocalServer({
    siteRoot: root,
    loadHandler: async (name) => (name === 'health' ? health : Promise.reject(new Error(`no function ${name} in this test`))),
  });
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

  it('gives every answer a request id of its own: API route, page, asset, HEAD, 404 and a method the path lacks', async () => {
    const calls: Array<[method: string, path: string, status: number]> = [
      ['GET', '/health', 200],
      ['GET', '/', 200],
      ['GET', '/activate?code=ABCD-EFGH', 200],
      ['GET', '/no-such-page', 200],
      ['HEAD', '/licenses', 200],
      ['GET', '/assets/app-1234.js', 200],
      ['GET', '/assets/missing.js', 404],
      ['GET', '/favicon.ico', 404],
      ['GET', '/v1/unknown', 404],
      ['PUT', '/v1/accounts/register', 404],
    ];

    const answers = await Promise.all(
      calls.map(async ([method, path]) => {
        const response = await fetch(`${baseUrl}${path}`, { method });
        await response.arrayBuffer();
        return { call: `${method} ${path}`, status: response.status, requestId: response.headers.get('x-request-id') };
      }),
    );

    expect(answers).toEqual(calls.map(([method, path, status]) => ({ call: `${method} ${path}`, status, requestId: expect.stringMatching(uuid) })));
    expect(new Set(answers.map(({ requestId }) => requestId)).size).toBe(calls.length);
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
