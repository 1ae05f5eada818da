import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { routeById } from '@license-activation/contract/routes';
import type { RouteDefinition } from '@license-activation/contract/routes';
import {
  authorizerEvent,
  localOpsUserArn,
  matchRoute,
  policyAllows,
  proxyEvent,
  requestTime,
  withAuthorizer,
} from '#dev/api-gateway-event.js';
import type { LocalRequest } from '#dev/api-gateway-event.js';

const now = new Date('2026-03-04T05:06:07.089Z');
const requestId = '11111111-2222-4333-8444-555555555555';

const request = (overrides: Partial<LocalRequest> = {}): LocalRequest => ({
  method: 'GET',
  target: '/health',
  rawHeaders: ['Host', '127.0.0.1:3000'],
  body: null,
  sourceIp: '127.0.0.1',
  httpVersion: '1.1',
  ...overrides,
});

function eventFor(overrides: Partial<LocalRequest>) {
  const { method, target } = request(overrides);
  const match = matchRoute(method, target.split('?')[0] ?? target);
  if (!match) throw new Error(`no route for ${method} ${target}`);
  return proxyEvent(request(overrides), match, requestId, now);
}

const allow: APIGatewayAuthorizerResult = {
  principalId: 'customer:c1',
  policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:*' }] },
  context: { accountKind: 'customer', accountId: 'c1' },
};

describe('matchRoute', () => {
  it('matches a literal route without path parameters', () => {
    expect(matchRoute('GET', '/health')).toEqual({ route: routeById('health'), pathParameters: null });
  });

  it('captures path parameters as sent, still percent-encoded', () => {
    expect(matchRoute('DELETE', '/v1/admin/associations/r%201/c-2')).toEqual({
      route: routeById('removeAssociation'),
      pathParameters: { resellerId: 'r%201', customerId: 'c-2' },
    });
  });

  it('tells routes on one resource apart by method', () => {
    expect(matchRoute('POST', '/v1/customers')?.route.id).toBe('createCustomer');
    expect(matchRoute('GET', '/v1/customers')?.route.id).toBe('listCustomers');
  });

  it.each([
    ['an unknown path', 'GET', '/v1/unknown'],
    ['a known path with a method it does not have', 'PUT', '/health'],
    ['a known path with a trailing slash', 'GET', '/health/'],
    ['an empty path parameter', 'GET', '/v1/licenses//events'],
    ['a path longer than every template', 'GET', '/v1/licenses/l1/events/e1'],
  ])('finds no route for %s', (_, method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });

  describe('with a literal and a parameter resource at the same place', () => {
    const route = (id: string, method: RouteDefinition['method'], path: string): RouteDefinition => ({
      id,
      method,
      path,
      function: id,
      authentication: 'none',
      allow: ['anonymous'],
      summary: id,
    });
    const table = [route('getThing', 'GET', '/things/{thingId}'), route('searchThings', 'POST', '/things/search')];

    it('prefers the literal resource', () => {
      expect(matchRoute('POST', '/things/search', table)?.route.id).toBe('searchThings');
    });

    it('does not fall back to the parameter resource when the literal one lacks the method', () => {
      expect(matchRoute('GET', '/things/search', table)).toBeUndefined();
    });

    it('uses the parameter resource for any other segment', () => {
      expect(matchRoute('GET', '/things/t1', table)).toEqual({ route: table[0], pathParameters: { thingId: 't1' } });
    });
  });
});

describe('requestTime', () => {
  it('writes the time as API Gateway does, in UTC', () => {
    expect(requestTime(now)).toBe('04/Mar/2026:05:06:07 +0000');
  });
});

describe('proxyEvent', () => {
  it('builds the API Gateway REST event of a request with path parameters, query and headers', () => {
    const event = eventFor({
      method: 'DELETE',
      target: '/v1/installations/inst-1/activations/lic-1?reason=moved&tag=a&tag=b%20c',
      rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'curl/8.5', 'X-Trace', 'one', 'X-Trace', 'two'],
      body: '{"note":"bye"}',
      sourceIp: '10.1.2.3',
    });

    expect(event).toEqual({
      resource: '/v1/installations/{installationId}/activations/{licenseId}',
      path: '/v1/installations/inst-1/activations/lic-1',
      httpMethod: 'DELETE',
      headers: { Host: '127.0.0.1:3000', 'User-Agent': 'curl/8.5', 'X-Trace': 'two' },
      multiValueHeaders: { Host: ['127.0.0.1:3000'], 'User-Agent': ['curl/8.5'], 'X-Trace': ['one', 'two'] },
      queryStringParameters: { reason: 'moved', tag: 'b c' },
      multiValueQueryStringParameters: { reason: ['moved'], tag: ['a', 'b c'] },
      pathParameters: { installationId: 'inst-1', licenseId: 'lic-1' },
      stageVariables: null,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: undefined,
        domainName: '127.0.0.1:3000',
        httpMethod: 'DELETE',
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '10.1.2.3',
          user: null,
          userAgent: 'curl/8.5',
          userArn: null,
        },
        path: '/local/v1/installations/inst-1/activations/lic-1',
        protocol: 'HTTP/1.1',
        requestId,
        requestTime: '04/Mar/2026:05:06:07 +0000',
        requestTimeEpoch: now.getTime(),
        resourceId: expect.stringMatching(/^[0-9a-f]{6}$/),
        resourcePath: '/v1/installations/{installationId}/activations/{licenseId}',
        stage: 'local',
      },
      body: '{"note":"bye"}',
      isBase64Encoded: false,
    });
  });

  it('sends null query maps, null path parameters and a null body when the request has none', () => {
    const event = eventFor({});

    expect(event).toMatchObject({ queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, body: null });
  });

  it('keeps header names in the case the client sent them', () => {
    const event = eventFor({ rawHeaders: ['authorization', 'Bearer a', 'DPoP', 'proof'] });

    expect(event.headers).toEqual({ authorization: 'Bearer a', DPoP: 'proof' });
  });

  it('has a null user agent and no domain name when the client sends neither header', () => {
    const event = eventFor({ rawHeaders: [] });

    expect(event.requestContext.identity.userAgent).toBeNull();
    expect(event.requestContext).not.toHaveProperty('domainName');
  });

  it('gives every request on one resource the same resource id, and another resource another', () => {
    const resourceId = (method: string, target: string) => eventFor({ method, target }).requestContext.resourceId;

    expect(resourceId('GET', '/v1/customers')).toBe(resourceId('POST', '/v1/customers'));
    expect(resourceId('GET', '/v1/customers')).not.toBe(resourceId('GET', '/health'));
  });
});

describe('authorizerEvent', () => {
  it('sends the request without its body, with a methodArn of stage, method and path', () => {
    const event = eventFor({ method: 'GET', target: '/v1/licenses/l1?limit=5', rawHeaders: ['Authorization', 'Bearer k'], body: null });

    const authorizer = authorizerEvent(event, 'eu-west-1');

    expect(authorizer).toEqual({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:000000000000:local/local/GET/v1/licenses/l1',
      resource: '/v1/licenses/{licenseId}',
      path: '/v1/licenses/l1',
      httpMethod: 'GET',
      headers: { Authorization: 'Bearer k' },
      multiValueHeaders: { Authorization: ['Bearer k'] },
      pathParameters: { licenseId: 'l1' },
      queryStringParameters: { limit: '5' },
      multiValueQueryStringParameters: { limit: ['5'] },
      stageVariables: null,
      requestContext: { ...event.requestContext, authorizer: undefined },
    });
    expect(authorizer).not.toHaveProperty('body');
  });
});

describe('policyAllows', () => {
  it('lets a request through on an Allow statement', () => {
    expect(policyAllows(allow)).toBe(true);
  });

  it('refuses a request when any statement denies', () => {
    const denied: APIGatewayAuthorizerResult = { ...allow, policyDocument: { Version: '2012-10-17', Statement: [...allow.policyDocument.Statement, { Effect: 'Deny', Action: '*', Resource: '*' }] } };

    expect(policyAllows(denied)).toBe(false);
  });

  it('refuses a request when no statement allows', () => {
    expect(policyAllows({ ...allow, policyDocument: { Version: '2012-10-17', Statement: [] } })).toBe(false);
  });
});

describe('withAuthorizer', () => {
  const event = eventFor({ method: 'POST', target: '/v1/admin/resellers' });

  it("puts the authorizer context, as strings, with the policy's principal id and the latency into requestContext.authorizer", () => {
    const result = { ...allow, context: { accountKind: 'customer', accountId: 'c1', principalId: 'c1', seats: 5, trial: false } };

    const forwarded = withAuthorizer(event, result, 12, { asOps: false });

    expect(forwarded.requestContext.authorizer).toEqual({
      accountKind: 'customer',
      accountId: 'c1',
      principalId: 'customer:c1',
      seats: '5',
      trial: 'false',
      integrationLatency: 12,
    });
    expect(forwarded.requestContext.identity.userArn).toBeNull();
  });

  it('names the local ops user as IAM caller when the ops key stands in for SigV4', () => {
    const forwarded = withAuthorizer(event, { ...allow, context: { accountKind: 'ops', accountId: 'ops' } }, 3, { asOps: true });

    expect(forwarded.requestContext.identity.userArn).toBe(localOpsUserArn);
  });

  it('leaves the original event unchanged', () => {
    withAuthorizer(event, allow, 1, { asOps: true });

    expect(event.requestContext.authorizer).toBeUndefined();
    expect(event.requestContext.identity.userArn).toBeNull();
  });
});
