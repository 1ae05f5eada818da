import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startLocalService } from '../../support/http-client.js';

// The local server with the real functions and authorizer, against this file's table in DynamoDB Local.

let baseUrl: string;
let close: () => Promise<void>;
beforeAll(async () => ({ baseUrl, close } = await startLocalService()));
afterAll(() => close());

const opsApiKey = process.env.OPS_API_KEY ?? '';
const newAccount = { name: 'Example Ltd', email: 'it@example.com' };

describe('local server', () => {
  it('answers GET /health with 200 {"status":"ok"} once the table is reachable', async () => {
    const response = await fetch(`${baseUrl}/health`);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"status":"ok"}');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets the ops API key call an iam route in place of IAM', async () => {
    const answer = await request<{ account: { kind: string } }>(baseUrl, 'POST', '/v1/admin/resellers', { credential: { apiKey: opsApiKey }, body: newAccount });

    expect(answer.status).toBe(201);
    expect(answer.body.account.kind).toBe('reseller');
  });

  it("refuses a customer's API key on an iam route with 403 FORBIDDEN", async () => {
    const registered = await request<{ apiKey: string }>(baseUrl, 'POST', '/v1/accounts/register', { body: newAccount });
    expect(registered.status).toBe(201);

    const answer = await request<{ code: string }>(baseUrl, 'POST', '/v1/admin/resellers', { credential: { apiKey: registered.body.apiKey }, body: newAccount });

    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('FORBIDDEN');
  });

  it('refuses an unknown API key on an iam route with 401 UNAUTHENTICATED', async () => {
    const answer = await request<{ code: string }>(baseUrl, 'POST', '/v1/admin/resellers', { credential: { apiKey: 'lak_unknown' }, body: newAccount });

    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('UNAUTHENTICATED');
    expect(answer.headers.get('x-request-id')).toBeTruthy();
  });
});

/** Names every plain object inherits: an answer that indexes a plain object by a client's name meets them. */
const prototypeNames = Object.getOwnPropertyNames(Object.prototype);

describe('local server, names of Object.prototype', () => {
  const paths = [
    ['GET', '/health'],
    ['GET', '/v1/licenses?limit=1'],
    ['POST', '/v1/accounts/register'],
    ['POST', '/v1/installations/abc/heartbeat'],
  ] as const;

  it.each(paths)('answers %s %s below 500 with each as a header name, once or twice', async (method, path) => {
    for (const name of prototypeNames) {
      const headers = new Headers({ 'content-type': 'application/json', authorization: `Bearer ${opsApiKey}` });
      headers.append(name, '1');
      headers.append(name, '2');
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(newAccount) : undefined });
      expect(response.status, name).toBeLessThan(500);
    }
  });

  it.each(paths)('answers %s %s below 500 with each as a query parameter, once or twice', async (method, path) => {
    for (const name of prototypeNames) {
      const query = `${path.includes('?') ? '&' : '?'}${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2`;
      const response = await fetch(`${baseUrl}${path}${query}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opsApiKey}` },
        body: method === 'POST' ? JSON.stringify(newAccount) : undefined,
      });
      expect(response.status, name).toBeLessThan(500);
    }
  });
});
