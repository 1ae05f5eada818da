import { describe, expect, it, vi } from 'vitest';
import { logger } from '#lib/platform/logger.js';
import * as z from 'zod';
import { problem } from '@license-activation/contract/problem';
import { httpHandler } from '#lib/http/http-handler.js';
import { licenseRequests } from '@license-activation/contract/license-requests';
import { eventFor } from '../../support/api.js';
import type { HttpResponse } from '#lib/http/http-event.js';
import type { Context } from 'aws-lambda';

const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'test', awsRequestId: 'aws-request' } as unknown as Context;
const reject = (error: unknown) => httpHandler({ health: {} }, async () => Promise.reject(error));
const parse = (response: HttpResponse) => ({ ...response, body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined });

describe('httpHandler', () => {
  it('answers the action result as JSON with the request id and no caching', async () => {
    const handler = httpHandler({ registerAccount: { body: z.strictObject({ name: z.string() }) } }, async ({ body }) => ({ status: 201, body: { hello: body.name } }));
    const event = await eventFor('registerAccount', { body: { name: 'Ada' } });
    const response = parse(await handler(event, context));
    expect(response).toMatchObject({
      statusCode: 201,
      body: { hello: 'Ada' },
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'X-Request-Id': event.requestContext.requestId },
    });
  });

  it('answers 204 with an empty body', async () => {
    const handler = httpHandler({ health: {} }, async () => ({ status: 204 }));
    const response = await handler(await eventFor('health'), context);
    expect(response).toMatchObject({ statusCode: 204, body: '' });
  });

  it('turns a thrown problem into an RFC 9457 document with its code and status', async () => {
    const response = parse(await reject(problem('CONFLICT', 'the license is revoked'))(await eventFor('health'), context));
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    expect(response.body).toEqual({
      type: 'urn:license-activation:problem:conflict',
      title: expect.any(String),
      status: 409,
      detail: 'the license is revoked',
      code: 'CONFLICT',
      requestId: expect.any(String),
    });
  });

  it('answers an unexpected fault with a bare 500 INTERNAL that reveals nothing', async () => {
    const event = await eventFor('health');
    const response = parse(await reject(new Error('secret table name in /var/task/index.js:12'))(event, context));
    expect(response.statusCode).toBe(500);
    expect(response.body).toMatchObject({ code: 'INTERNAL', requestId: event.requestContext.requestId });
    expect(JSON.stringify(response.body)).not.toMatch(/secret|index\.js|at /);
  });

  it.each([
    ['DynamoDB throttling', Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' })],
    ['a KMS key in a bad state', Object.assign(new Error('pending deletion'), { name: 'KMSInvalidStateException' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a server fault', Object.assign(new Error('boom'), { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
  ])('answers %s with 503 UNAVAILABLE and Retry-After', async (_, error) => {
    const response = parse(await reject(error)(await eventFor('health'), context));
    expect(response.statusCode).toBe(503);
    expect(response.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThan(0);
  });

  it('answers 404 NOT_FOUND to a route it does not serve', async () => {
    const event = { ...(await eventFor('health')), resource: '/nowhere', path: '/nowhere' };
    const response = parse(await httpHandler({ health: {} }, async () => ({ status: 200 }))(event, context));
    expect(response).toMatchObject({ statusCode: 404, body: { code: 'NOT_FOUND' } });
    expect(response.headers?.['X-Request-Id']).toBeTruthy();
  });

  it('reads a base64-encoded body', async () => {
    const handler = httpHandler({ registerAccount: { body: z.strictObject({ name: z.string() }) } }, async ({ body }) => ({ status: 200, body }));
    const event = { ...(await eventFor('registerAccount')), body: Buffer.from('{"name":"Ada"}').toString('base64'), isBase64Encoded: true };
    expect(parse(await handler(event, context))).toMatchObject({ statusCode: 200, body: { name: 'Ada' } });
  });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"hello"'],
  ])('refuses a JSON body that is %s with VALIDATION_FAILED', async (_, raw) => {
    const handler = httpHandler({ registerAccount: { body: z.strictObject({ name: z.string() }) } }, async () => ({ status: 200 }));
    const response = parse(await handler(await eventFor('registerAccount', { rawBody: raw }), context));
    expect(response).toMatchObject({ statusCode: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses a body on a route that takes none, unless it is empty', async () => {
    const handler = httpHandler({ health: {} }, async () => ({ status: 200, body: {} }));
    expect((await handler(await eventFor('health', { body: {} }), context)).statusCode).toBe(200);
    expect(parse(await handler(await eventFor('health', { body: { x: 1 } }), context))).toMatchObject({ statusCode: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'x', message: 'unknown field' }] } });
  });

  it('answers 500 INTERNAL on an installation route whose function was built without a proof verifier', async () => {
    const response = parse(await httpHandler({ heartbeat: {} }, async () => ({ status: 200 }))(await eventFor('heartbeat'), context));
    expect(response).toMatchObject({ statusCode: 500, body: { code: 'INTERNAL' } });
  });

  describe('with request headers', () => {
    // Issuance is decided on the customer the body names: here one every caller may see.
    const anyCustomer = { resources: async () => ({ kind: 'customer', id: 'acc_1', isCustomer: true }) as const };
    const issuing = httpHandler(
      { issueLicense: licenseRequests.issueLicense },
      async ({ headers }) => ({ status: 200, body: { idempotencyKey: headers['Idempotency-Key'] ?? null } }),
      anyCustomer,
    );
    const body = { customerId: 'acc_1', productId: 'authserver', type: 'users' };
    const issueEvent = (headers: Record<string, string>) => eventFor('issueLicense', { headers, body, as: { kind: 'ops', id: 'ops' } });

    it('hands the action the headers the route declares, by their canonical names, whatever their case', async () => {
      expect(parse(await issuing(await issueEvent({ 'idempotency-key': 'order-42' }), context))).toMatchObject({ statusCode: 200, body: { idempotencyKey: 'order-42' } });
      expect(parse(await issuing(await issueEvent({}), context))).toMatchObject({ statusCode: 200, body: { idempotencyKey: null } });
    });

    it('refuses a header outside its schema with VALIDATION_FAILED naming it', async () => {
      expect(parse(await issuing(await issueEvent({ 'Idempotency-Key': 'two words' }), context))).toMatchObject({
        statusCode: 400,
        body: { code: 'VALIDATION_FAILED', errors: [{ path: 'Idempotency-Key', message: '1 to 255 visible ASCII characters' }] },
      });
    });
  });

  it('logs who called by kind and id: a person by its sub, never anonymous, and never its email', async () => {
    const logged = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const person = { kind: 'person', id: '5f0c2a8e-3b1d-4c6e-9a7f-2d4b8e1c0a93', email: 'ada@customer.example', emailVerified: true } as const;
    await httpHandler({ getMe: {} }, async () => ({ status: 200 }))(await eventFor('getMe', { as: person }), context);
    expect(logged).toHaveBeenCalledWith('request', expect.objectContaining({ principal: 'person', principalId: person.id }));
    expect(JSON.stringify(logged.mock.calls)).not.toContain(person.email);
    logged.mockRestore();
  });

  it('answers 500 INTERNAL for a route its function does not serve', async () => {
    const response = parse(await httpHandler({ health: {} }, async () => ({ status: 200 }))(await eventFor('jwks'), context));
    expect(response).toMatchObject({ statusCode: 500, body: { code: 'INTERNAL' } });
  });
});
