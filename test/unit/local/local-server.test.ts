import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allowPolicy } from '#lib/auth/authorizer-policy.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import { localOpsUserArn } from '#dev/api-gateway-event.js';
import { createLocalServer, maxRequestBytes } from '#dev/local-server.js';
import type { LambdaFunction } from '#dev/local-server.js';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ok: APIGatewayProxyResult = { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"status":"ok"}' };

const methodArn = 'arn:aws:execute-api:us-east-1:000000000000:local/local/GET/v1/customers';
const allowing = (principal: AccountPrincipal) => allowPolicy(principal, methodArn);
const reseller: AccountPrincipal = { kind: 'reseller', id: 'r1' };
const customer: AccountPrincipal = { kind: 'customer', id: 'c1' };

let server: Server | undefined;

afterEach(async () => {
  await new Promise((closed) => server?.close(closed));
  server = undefined;
});

/**
 * The local server on a free port, with fake functions by name; any other function fails to load.
 * No built site (site-files.test.ts covers it), so routing answers the same whether `site/dist` exists or not.
 */
async function serve(functions: Record<string, LambdaFunction>): Promise<string> {
  server = createLocalServer({
    siteRoot: fileURLToPath(new URL('no-such-site/', import.meta.url)),
    loadHandler: async (name) => {
      const handler = functions[name];
      if (!handler) throw new Error(`no fake for functions/${name}`);
      return handler;
    },
  });
  await new Promise<void>((listening) => server?.listen(0, '127.0.0.1', listening));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  return (await response.json()) as { status: number; code: string; requestId: string };
}

/** Sends a body of `size` bytes, with a Content-Length or chunked, and reads the answer. */
function post(baseUrl: string, path: string, size: number, mode: 'content-length' | 'chunked') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const outgoing = httpRequest(url, { method: 'POST', headers: mode === 'content-length' ? { 'Content-Length': size } : {} }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
    });
    // The server may close the connection before all of a refused body is sent.
    outgoing.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < size; sent += chunk.byteLength) outgoing.write(chunk.subarray(0, Math.min(chunk.byteLength, size - sent)));
    outgoing.end();
  });
}

/** Sends `bytes` as they are on a new connection and reads the whole answer, up to the server's close. */
function exchange(baseUrl: string, bytes: string) {
  return new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('createLocalServer', () => {
  describe('routing', () => {
    it('invokes the route handler with the API Gateway event and a Lambda context, and writes back its answer', async () => {
      const health = vi.fn<ProxyHandler>(async () => ({ ...ok, headers: { ...ok.headers, 'X-Request-Id': 'from-handler' } }));
      const baseUrl = await serve({ health });

      const response = await fetch(`${baseUrl}/health?verbose=1`, { headers: { 'X-Trace': 'abc' } });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-request-id')).toBe('from-handler');
      expect(await response.text()).toBe('{"status":"ok"}');
      const [event, context] = health.mock.calls[0] ?? [];
      expect(event).toMatchObject({
        resource: '/health',
        path: '/health',
        httpMethod: 'GET',
        queryStringParameters: { verbose: '1' },
        pathParameters: null,
        body: null,
        isBase64Encoded: false,
        requestContext: { stage: 'local', resourcePath: '/health', requestId: expect.stringMatching(uuid), identity: { sourceIp: '127.0.0.1' } },
      });
      expect(event?.headers['X-Trace']).toBe('abc');
      expect(context).toMatchObject({ functionName: 'health', awsRequestId: expect.stringMatching(uuid) });
      expect(context?.getRemainingTimeInMillis()).toBeGreaterThan(20_000);
    });

    it('adds the request id of the event as X-Request-Id when the handler sets none', async () => {
      const health = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ health });

      const response = await fetch(`${baseUrl}/health`);

      expect(response.headers.get('x-request-id')).toBe(health.mock.calls[0]?.[0].requestContext.requestId);
    });

    it('passes path parameters and the body to the handler', async () => {
      const removeAssociation = vi.fn<ProxyHandler>(async () => ({ statusCode: 204, body: '' }));
      const baseUrl = await serve({ 'remove-association': removeAssociation, authorizer: async () => allowing(opsPrincipal) });

      const response = await fetch(`${baseUrl}/v1/admin/associations/r1/c1`, { method: 'DELETE', headers: { Authorization: 'Bearer ops-key' }, body: '{"a":1}' });

      expect(response.status).toBe(204);
      expect(removeAssociation.mock.calls[0]?.[0]).toMatchObject({ pathParameters: { resellerId: 'r1', customerId: 'c1' }, body: '{"a":1}' });
    });

    it('writes multi-value headers and decodes a base64 body', async () => {
      const baseUrl = await serve({
        health: async () => ({ statusCode: 200, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: Buffer.from('binary').toString('base64'), isBase64Encoded: true }),
      });

      const response = await fetch(`${baseUrl}/health`);

      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(await response.text()).toBe('binary');
    });

    it.each([
      ['an unknown path', 'GET', '/v1/unknown'],
      ['a path one segment past a known one', 'GET', '/health/more'],
    ])('answers 404 NOT_FOUND with a request id to %s', async (_, method, path) => {
      const health = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ health });

      const response = await fetch(`${baseUrl}${path}`, { method });

      expect(response.status).toBe(404);
      const problem = await problemOf(response);
      expect(problem).toMatchObject({ status: 404, code: 'NOT_FOUND', requestId: expect.stringMatching(uuid) });
      expect(response.headers.get('x-request-id')).toBe(problem.requestId);
      expect(response.headers.get('allow')).toBeNull();
      expect(health).not.toHaveBeenCalled();
    });

    it.each([
      ['PATCH', '/health', 'GET'],
      ['DELETE', '/health', 'GET'],
      ['PUT', '/v1/licenses', 'POST, GET'],
      ['GET', '/v1/licenses/lic_1/suspend', 'POST'],
      ['POST', '/v1/installations/inst-1/activations/lic_1', 'DELETE'],
      ['PUT', '/v1/accounts/register', 'POST'],
      ['DELETE', '/v1/licenses', 'POST, GET'],
      ['PATCH', '/v1/licenses/lic_1', 'GET'],
      ['OPTIONS', '/v1/licenses', 'POST, GET'],
    ])('answers 404 NOT_FOUND with Allow to %s %s, a known path without that method: the contract has no 405', async (method, path, allow) => {
      const health = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ health });

      const response = await fetch(`${baseUrl}${path}`, { method });

      expect(response.status).toBe(404);
      expect(response.headers.get('allow')).toBe(allow);
      const problem = await problemOf(response);
      expect(problem).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: `no route ${method} ${path}: it takes ${allow}`, requestId: expect.stringMatching(uuid) });
      expect(response.headers.get('x-request-id')).toBe(problem.requestId);
      expect(health).not.toHaveBeenCalled();
    });
  });

  describe('faults', () => {
    it('answers 500 INTERNAL with a request id when a handler throws', async () => {
      const baseUrl = await serve({ health: async () => Promise.reject(new Error('boom')) });

      const response = await fetch(`${baseUrl}/health`);

      expect(response.status).toBe(500);
      const problem = await problemOf(response);
      expect(problem.code).toBe('INTERNAL');
      expect(JSON.stringify(problem)).not.toContain('boom');
      expect(response.headers.get('x-request-id')).toBe(problem.requestId);
    });

    it('answers 500 INTERNAL when a handler answers without a status code', async () => {
      const baseUrl = await serve({ health: async () => ({ body: 'no status' }) });

      const response = await fetch(`${baseUrl}/health`);

      expect(response.status).toBe(500);
      expect((await problemOf(response)).code).toBe('INTERNAL');
    });

    it("answers 500 INTERNAL without the handler's headers when its answer cannot be written", async () => {
      const baseUrl = await serve({ health: async () => ({ statusCode: 200, headers: { 'X-Fine': 'yes', 'X-Broken': 'line\nbreak' }, body: '' }) });

      const response = await fetch(`${baseUrl}/health`);

      expect(response.status).toBe(500);
      expect(response.headers.get('x-fine')).toBeNull();
      expect((await problemOf(response)).code).toBe('INTERNAL');
    });

    it('answers 500 INTERNAL when the function of a route cannot be loaded, and tries again on the next request', async () => {
      let loads = 0;
      server = createLocalServer({
        loadHandler: async () => {
          loads += 1;
          if (loads === 1) throw new Error('not written yet');
          return async () => ok;
        },
      });
      await new Promise<void>((listening) => server?.listen(0, '127.0.0.1', listening));
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      const first = await fetch(`${baseUrl}/health`);
      const second = await fetch(`${baseUrl}/health`);

      expect(first.status).toBe(500);
      expect(second.status).toBe(200);
    });
  });

  it("refuses a request that brings a header only WAF inserts, as the API's web ACL does", async () => {
    const registerAccount = vi.fn<ProxyHandler>(async () => ok);
    const baseUrl = await serve({ 'register-account': registerAccount });

    const response = await fetch(`${baseUrl}/v1/accounts/register`, { method: 'POST', headers: { 'X-Amzn-Waf-Site-Origin': 'true', 'x-viewer-address': '192.0.2.1' }, body: '{}' });

    expect(response.status).toBe(403);
    expect((await problemOf(response)).code).toBe('FORBIDDEN');
    expect(registerAccount).not.toHaveBeenCalled();
  });

  describe('requests Node refuses before any route', () => {
    it.each([
      ['headers over 16 KiB', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 413, 'PAYLOAD_TOO_LARGE'],
      ['a request line that is not HTTP', 'GET /health SPDY/9\r\n\r\n', 400, 'VALIDATION_FAILED'],
      ['a header without a colon', 'GET /health HTTP/1.1\r\nHost x\r\n\r\n', 400, 'VALIDATION_FAILED'],
    ])('answers %s with a problem document, not a bare status line', async (_, bytes, status, code) => {
      const health = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ health });

      const answer = await exchange(baseUrl, bytes);

      expect(answer.status).toBe(status);
      expect(answer.headers).toMatchObject({ 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff', connection: 'close', 'x-request-id': expect.stringMatching(uuid) });
      expect(JSON.parse(answer.body)).toMatchObject({ status, code, requestId: answer.headers['x-request-id'] });
      expect(health).not.toHaveBeenCalled();
    });
  });

  describe('body limit', () => {
    it.each(['content-length', 'chunked'] as const)('answers 413 PAYLOAD_TOO_LARGE to a body over 1 MiB (%s) without calling the handler', async (mode) => {
      const registerAccount = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ 'register-account': registerAccount });

      const answer = await post(baseUrl, '/v1/accounts/register', maxRequestBytes + 1, mode);

      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', requestId: answer.headers['x-request-id'] });
      expect(registerAccount).not.toHaveBeenCalled();
    });

    it('passes a body of exactly 1 MiB to the handler', async () => {
      const registerAccount = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ 'register-account': registerAccount });

      const answer = await post(baseUrl, '/v1/accounts/register', maxRequestBytes, 'chunked');

      expect(answer.status).toBe(200);
      expect(registerAccount.mock.calls[0]?.[0].body).toHaveLength(maxRequestBytes);
    });
  });

  describe('authorizer', () => {
    it('answers 401 UNAUTHENTICATED without calling the authorizer when an api-key route gets no Authorization header', async () => {
      const authorizer = vi.fn<AuthorizerHandler>(async () => allowing(reseller));
      const listCustomers = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ authorizer, 'list-customers': listCustomers });

      const response = await fetch(`${baseUrl}/v1/customers`);

      expect(response.status).toBe(401);
      const problem = await problemOf(response);
      expect(problem.code).toBe('UNAUTHENTICATED');
      expect(response.headers.get('x-request-id')).toBe(problem.requestId);
      expect(authorizer).not.toHaveBeenCalled();
      expect(listCustomers).not.toHaveBeenCalled();
    });

    it('answers 401 UNAUTHENTICATED when the authorizer refuses the credential with Unauthorized', async () => {
      const listCustomers = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ authorizer: async () => Promise.reject(new Error('Unauthorized')), 'list-customers': listCustomers });

      const response = await fetch(`${baseUrl}/v1/customers`, { headers: { Authorization: 'Bearer unknown' } });

      expect(response.status).toBe(401);
      expect((await problemOf(response)).code).toBe('UNAUTHENTICATED');
      expect(listCustomers).not.toHaveBeenCalled();
    });

    it('answers 403 FORBIDDEN when the authorizer policy denies', async () => {
      const deny: APIGatewayAuthorizerResult = { ...allowing(reseller), policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } };
      const baseUrl = await serve({ authorizer: async () => deny, 'list-customers': async () => ok });

      const response = await fetch(`${baseUrl}/v1/customers`, { headers: { Authorization: 'Bearer k' } });

      expect(response.status).toBe(403);
      expect((await problemOf(response)).code).toBe('FORBIDDEN');
    });

    it('answers 500 INTERNAL when the authorizer fails for another reason', async () => {
      const baseUrl = await serve({ authorizer: async () => Promise.reject(new Error('table gone')), 'list-customers': async () => ok });

      const response = await fetch(`${baseUrl}/v1/customers`, { headers: { Authorization: 'Bearer k' } });

      expect(response.status).toBe(500);
      expect((await problemOf(response)).code).toBe('INTERNAL');
    });

    it('sends the authorizer a REQUEST event for the call and passes its context to the handler of an api-key route', async () => {
      const authorizer = vi.fn<AuthorizerHandler>(async () => allowing(reseller));
      const listCustomers = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ authorizer, 'list-customers': listCustomers });

      await fetch(`${baseUrl}/v1/customers?limit=2`, { headers: { Authorization: 'Bearer reseller-key' } });

      expect(authorizer.mock.calls[0]?.[0]).toMatchObject({
        type: 'REQUEST',
        methodArn,
        resource: '/v1/customers',
        headers: expect.objectContaining({ Authorization: 'Bearer reseller-key' }),
        queryStringParameters: { limit: '2' },
      });
      expect(authorizer.mock.calls[0]?.[1].functionName).toBe('authorizer');
      const event = listCustomers.mock.calls[0]?.[0];
      expect(event?.requestContext.authorizer).toEqual({ accountKind: 'reseller', accountId: 'r1', principalId: 'reseller:r1', integrationLatency: expect.any(Number) });
      expect(event?.requestContext.identity.userArn).toBeNull();
    });

    it('names the local ops user as IAM caller on an iam route when the authorizer finds the ops key', async () => {
      const createReseller = vi.fn<ProxyHandler>(async () => ({ statusCode: 201, body: '{}' }));
      const baseUrl = await serve({ authorizer: async () => allowing(opsPrincipal), 'create-reseller': createReseller });

      const response = await fetch(`${baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { Authorization: 'Bearer ops-key' }, body: '{}' });

      expect(response.status).toBe(201);
      const event = createReseller.mock.calls[0]?.[0];
      expect(event?.requestContext.identity.userArn).toBe(localOpsUserArn);
      expect(event?.requestContext.authorizer).toMatchObject({ accountKind: 'ops' });
    });

    it('passes another account to an iam route with its authorizer context and no IAM caller, for the handler to refuse', async () => {
      const createReseller = vi.fn<ProxyHandler>(async () => ({ statusCode: 403, body: '{}' }));
      const baseUrl = await serve({ authorizer: async () => allowing(customer), 'create-reseller': createReseller });

      await fetch(`${baseUrl}/v1/admin/resellers`, { method: 'POST', headers: { Authorization: 'Bearer customer-key' }, body: '{}' });

      const event = createReseller.mock.calls[0]?.[0];
      expect(event?.requestContext.identity.userArn).toBeNull();
      expect(event?.requestContext.authorizer).toMatchObject({ accountKind: 'customer', accountId: 'c1' });
    });

    it.each([
      ['an installation route', 'POST', '/v1/installations/i1/heartbeat', 'heartbeat'],
      ['an installation-or-api-key route', 'GET', '/v1/installations/i1', 'get-installation'],
      ['an anonymous route', 'POST', '/v1/accounts/register', 'register-account'],
    ])('calls no authorizer on %s: the handler authenticates the caller itself', async (_, method, path, functionName) => {
      const authorizer = vi.fn<AuthorizerHandler>(async () => allowing(opsPrincipal));
      const handler = vi.fn<ProxyHandler>(async () => ok);
      const baseUrl = await serve({ authorizer, [functionName]: handler });

      const response = await fetch(`${baseUrl}${path}`, { method, headers: { Authorization: 'Bearer k' } });

      expect(response.status).toBe(200);
      expect(authorizer).not.toHaveBeenCalled();
      expect(handler.mock.calls[0]?.[0].requestContext.authorizer).toBeUndefined();
    });
  });
});

describe('createLocalServer: onAnswered', () => {
  it('tells of each answer once sent: method, path without the query, status and time taken', async () => {
    const answered: { method: string; path: string; status: number; ms: number }[] = [];
    server = createLocalServer({
      siteRoot: fileURLToPath(new URL('no-such-site/', import.meta.url)),
      loadHandler: async () => async () => ok,
      onAnswered: (line) => answered.push(line),
    });
    await new Promise<void>((listening) => server?.listen(0, '127.0.0.1', listening));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await (await fetch(`${baseUrl}/health?probe=1`)).text();
    await (await fetch(`${baseUrl}/v1/no-such-route`)).text();

    await vi.waitFor(() => expect(answered).toHaveLength(2));
    expect(answered).toEqual([
      expect.objectContaining({ method: 'GET', path: '/health', status: 200, ms: expect.any(Number) }),
      expect.objectContaining({ method: 'GET', path: '/v1/no-such-route', status: 404 }),
    ]);
  });
});

