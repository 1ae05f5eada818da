import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '#lib/platform/config.js';
import { handler as publicDocumentsHandler } from '#functions/public-documents/index.js';
import { buildOpenApiDocument } from '#lib/openapi/openapi.js';
import { requestOf } from '@license-activation/contract/requests';
import { routes } from '@license-activation/contract/routes';
import { lambdaContext } from '#dev/lambda-context.js';
import { addMember } from '#lib/data/members.js';
import { table } from '#lib/platform/dynamodb.js';
import type { RouteId } from '@license-activation/contract/routes';
import { loadInstallationKey, needsFreshProof, withFreshProof } from '#scripts/invoke.js';
import type { InstallationKey } from '#scripts/invoke.js';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const root = new URL('../../../', import.meta.url);
const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(new URL(path, root), 'utf8')) as T;
const sampleEvent = (routeId: RouteId) => readJson<APIGatewayProxyEvent>(`events/${routeId}.json`);

/** The parts of the document these tests read, as a client reads its JSON. */
interface Schema {
  readonly $ref?: string;
  readonly allOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly enum?: readonly string[];
}
interface Content {
  readonly schema: Schema;
}
interface Operation {
  readonly operationId: string;
  readonly security: unknown;
  readonly requestBody?: { readonly content: Readonly<Record<string, Content>> };
  readonly responses: Readonly<Record<string, { readonly headers?: object; readonly content?: Readonly<Record<string, Content>> }>>;
}
interface DocumentView {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
}

const document = JSON.parse(JSON.stringify(buildOpenApiDocument())) as DocumentView;

function operationOf(routeId: RouteId): Operation {
  const route = routes.find((candidate) => candidate.id === routeId);
  const operation = route && document.paths[route.path]?.[route.method.toLowerCase()];
  if (!operation) throw new Error(`no operation ${routeId}`);
  return operation;
}

/** The error codes an operation documents, by status. */
function documentedCodes(routeId: RouteId): Record<string, readonly string[] | undefined> {
  const errors = Object.entries(operationOf(routeId).responses).filter(([status]) => Number(status) >= 400);
  return Object.fromEntries(
    errors.map(([status, response]) => [status, response.content?.['application/problem+json']?.schema.allOf?.[1]?.properties?.code?.enum]),
  );
}

describe('buildOpenApiDocument', () => {
  it('documents every route of the route table with its method and path, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );

    expect(documented.sort()).toEqual(routes.map((route) => `${route.method} ${route.path} ${route.id}`).sort());
  });

  it('is the committed openapi.json', async () => {
    const committed = await readJson<DocumentView>('openapi.json');

    expect(committed, 'openapi.json is out of date: run `npm run openapi` and commit the result').toEqual(document);
  });

  it('passes redocly lint with the recommended rules, without a warning', async () => {
    // Its JSON report, whatever the exit status, so that a failure shows the problems found.
    const report = await new Promise<string>((resolve) => {
      execFile(
        join(root.pathname, 'node_modules/.bin/redocly'),
        ['lint', 'openapi.json', '--format=json'],
        { cwd: root.pathname, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
        (_error, stdout) => resolve(stdout),
      );
    });

    expect(JSON.parse(report)).toMatchObject({ totals: { errors: 0, warnings: 0 } });
  });

  it.each([
    ['health', []],
    ['registerAccount', []],
    ['createReseller', [{ iam: [] }]],
    ['listLicenses', [{ apiKey: [] }]],
    ['startTrial', [{ dpop: [] }]],
    ['activate', [{ dpop: [] }, { dpop: [], apiKey: [] }]],
    ['getInstallation', [{ dpop: [] }, { apiKey: [] }]],
  ] as const)('secures %s as its route authenticates', (routeId, security) => {
    expect(operationOf(routeId).security).toEqual(security);
  });

  it('documents every code an activation can answer, by status', () => {
    expect(documentedCodes('activate')).toEqual({
      400: ['VALIDATION_FAILED', 'KEY_MALFORMED', 'MALFORMED_JSON'],
      401: ['UNAUTHENTICATED', 'INVALID_PROOF', 'PROOF_EXPIRED', 'PROOF_REPLAYED'],
      403: ['VIRTUAL_MACHINE_NOT_ALLOWED', 'LICENSE_SUSPENDED', 'LICENSE_REVOKED', 'LICENSE_EXPIRED', 'PRODUCT_MISMATCH'],
      404: ['LICENSE_NOT_FOUND'],
      409: ['TOO_MANY_ACTIVATIONS', 'CONFLICT'],
      413: ['PAYLOAD_TOO_LARGE'],
      415: ['UNSUPPORTED_MEDIA_TYPE'],
      429: ['RATE_LIMITED'],
      500: ['INTERNAL'],
      503: ['UNAVAILABLE'],
    });
  });

  it('documents 403 FORBIDDEN only where an authenticated account may be refused', () => {
    expect(documentedCodes('createCustomer')[403]).toEqual(['FORBIDDEN']);
    expect(documentedCodes('getLicense')[403]).toBeUndefined();
  });

  it('documents Retry-After on the statuses that carry it', () => {
    const { responses } = operationOf('issueLicense');
    const headersOf = (status: number) => Object.keys(responses[status]?.headers ?? {});

    expect(headersOf(429)).toEqual(['X-Request-Id', 'Retry-After']);
    expect(headersOf(503)).toEqual(['X-Request-Id', 'Retry-After']);
    expect(headersOf(422)).toEqual(['X-Request-Id']);
    expect(headersOf(201)).toEqual(['X-Request-Id', 'Idempotent-Replayed']);
  });
});

describe('documented request bodies', () => {
  // The sample events (events/*.json) are API Gateway's: an ops twin shares its route's; proofs name the event's URL.
  const withBody = routes.filter((route) => route.twinOf === undefined && requestOf(route.id).body !== undefined);
  let dataDir: string;
  let installationKey: InstallationKey;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'openapi-test-'));
    installationKey = await loadInstallationKey(dataDir);
    // The sample person acts through a membership of the sample account it accepted: its request reaches validation.
    const sample = JSON.parse(await readFile(new URL('events/approveDeviceAuthorization.json', root), 'utf8')) as APIGatewayProxyEvent;
    const email = String(sample.requestContext.authorizer?.email);
    const personId = String(sample.requestContext.authorizer?.accountId);
    const accountId = String(sample.headers['Account-Id']);
    const membership = { id: 'mem_sample', accountId, accountKind: 'customer', email, role: 'owner', status: 'active', personId, createdAt: new Date().toISOString() } as const;
    await addMember(table(), membership, []);
    vi.stubEnv('PUBLIC_BASE_URL', '');
    resetConfig();
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    resetConfig();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(withBody.map((route) => [route.id, route] as const))('%s rejects an unknown field, as its handler does', async (routeId, route) => {
    // Prepare
    const bodyRef = operationOf(routeId).requestBody?.content['application/json']?.schema.$ref ?? '';
    const schemaName = bodyRef.replace('#/components/schemas/', '');
    const sample = await sampleEvent(routeId);
    const event = needsFreshProof(sample) ? await withFreshProof(sample, installationKey) : sample;
    event.body = JSON.stringify({ ...(JSON.parse(event.body ?? '{}') as object), unexpected: true });
    const { handler } = (await import(/* @vite-ignore */ `../../../functions/${route.function}/index.js`)) as { handler: Handler };

    // Act
    const response = await handler(event, lambdaContext(route.function));

    // Assess
    // A body of several shapes (an activation by key or by license id) is closed in each of them.
    const schema = document.components.schemas[schemaName] as { oneOf?: { $ref: string }[] };
    const shapes = schema.oneOf?.map(({ $ref }) => document.components.schemas[$ref.replace('#/components/schemas/', '')]) ?? [schema];
    for (const shape of shapes) expect(shape).toMatchObject({ type: 'object', additionalProperties: false });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'unexpected', message: 'unknown field' }] });
  });
});

describe('GET /openapi.json', () => {
  it('answers 200 with the committed document, cacheable for five minutes', async () => {
    const event = await sampleEvent('openapi');

    const response = await publicDocumentsHandler(event, lambdaContext('public-documents'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'public, max-age=300',
      'X-Request-Id': event.requestContext.requestId,
    });
    expect(JSON.parse(response.body)).toEqual(await readJson('openapi.json'));
  });
});
