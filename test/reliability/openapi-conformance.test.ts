import { fc } from '@fast-check/vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { generateSync } from 'json-schema-faker';
import type { JsonSchema } from 'json-schema-faker';
import type { OpenAPIObject, OperationObject, ParameterObject, RequestBodyObject, ResponseObject, SchemaObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openApiDocument from '../../openapi.json' with { type: 'json' };
import { opsPrincipal } from '#lib/auth/principal.js';
import { newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { createCustomerOf, createReseller, issueLicense } from '../support/scenario.js';

// The published contract, checked against the server: every operation of openapi.json gets requests
// generated from its own schemas (json-schema-faker, seeded by fast-check), sent over HTTP to the local
// service with valid credentials and fresh DPoP proofs. Whatever the document admits, the server must
// answer (a) without a 5xx, (b) with a status, content type and body the document gives that operation,
// and (c) never with VALIDATION_FAILED for a request the document's schemas admit, but on the fields
// the operation marks `x-server-checked-fields` (the catalog, issued cursors, the clock).
// test/reliability/fuzz.test.ts, beside it, sends malformed and hostile requests to the handlers.

/** Bounded for `npm test`; `CONFORMANCE_RUNS=500 npx vitest run test/reliability/openapi-conformance.test.ts` looks harder. */
const runsPerOperation = Number(process.env.CONFORMANCE_RUNS ?? 25);

type Method = 'get' | 'post' | 'put' | 'delete';
interface Operation {
  readonly path: string;
  readonly method: Method;
  readonly operation: OperationObject & { 'x-server-checked-fields'?: string[] };
}

const methods: readonly Method[] = ['get', 'post', 'put', 'delete'];

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    methods.flatMap((method) => (item[method] ? [{ path, method, operation: item[method] as Operation['operation'] }] : [])),
  );
}

/** A JSON pointer into the document, for ajv to compile the schema that stands there (its `$ref`s resolve against the document). */
const pointer = (...segments: string[]) => `openapi.json#/${segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

// ajv-formats is CommonJS: under ESM its plugin is the default export's `default`.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv2020) => Ajv2020 }).default;

/** What the document says an operation takes and answers, compiled once. */
interface Contract {
  readonly operation: Operation;
  readonly parameters: readonly ParameterObject[];
  readonly body?: { readonly required: boolean; readonly schema: JsonSchema; readonly validate: ValidateFunction };
  readonly parameterValidators: ReadonlyMap<string, ValidateFunction>;
  readonly responses: ReadonlyMap<string, { readonly contentType?: string; readonly validate?: ValidateFunction }>;
  readonly credentials: ReadonlyArray<readonly string[]>;
}

function contractsOf(document: OpenAPIObject): Contract[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  const parameterOf = (parameter: ParameterObject | { $ref: string }): ParameterObject =>
    '$ref' in parameter ? (document.components?.parameters?.[parameter.$ref.split('/').at(-1) ?? ''] as ParameterObject) : parameter;
  return operationsOf(document).map((operation) => {
    const { path, method, operation: described } = operation;
    const parameters = (described.parameters ?? []).map(parameterOf);
    const requestBody = described.requestBody as RequestBodyObject | undefined;
    const bodySchema = requestBody?.content['application/json']?.schema as JsonSchema | undefined;
    const responses = new Map(
      Object.entries(described.responses as Record<string, ResponseObject>).map(([status, response]) => {
        const [contentType] = Object.keys(response.content ?? {});
        const at = contentType && pointer('paths', path, method, 'responses', status, 'content', contentType, 'schema');
        return [status, { contentType, validate: at ? ajv.compile({ $ref: at }) : undefined }] as const;
      }),
    );
    return {
      operation,
      parameters,
      ...(bodySchema
        ? { body: { required: requestBody?.required ?? false, schema: bodySchema, validate: ajv.compile({ $ref: pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema') }) } }
        : {}),
      parameterValidators: new Map(parameters.map((parameter) => [`${parameter.in}:${parameter.name}`, ajv.compile(parameter.schema ?? {})])),
      responses,
      credentials: (described.security ?? []).map((requirement) => Object.keys(requirement)),
    };
  });
}

// ---------------------------------------------------------------- the world requests may name

interface World {
  readonly apiKeys: Readonly<Record<'ops' | 'reseller' | 'customer', string>>;
  readonly installation: TestInstallation;
  /** Values of the world under the field names that hold them: a generated request takes one or keeps its own. */
  readonly values: Readonly<Record<string, string>>;
}

let baseUrl: string;
let closeService: () => Promise<void>;
let world: World;

beforeAll(async () => {
  const service = await startLocalService();
  baseUrl = service.baseUrl;
  closeService = service.close;
  const reseller = await createReseller();
  const customer = await createCustomerOf(reseller);
  // Named by id, the license may be suspended or revoked by the status routes; activations by key take another.
  const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 1000 });
  const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 1000 });
  const installation = await newInstallation();
  world = {
    apiKeys: { ops: process.env.OPS_API_KEY ?? '', reseller: reseller.apiKey, customer: customer.apiKey },
    installation,
    values: { customerId: customer.account.id, resellerId: reseller.account.id, licenseId: license.id, productId: 'authserver', key, type: 'users' },
  };
});

afterAll(() => closeService());

// ---------------------------------------------------------------- one generated request

interface Case {
  readonly seed: number;
  /** For each field the world has a value for: take the world's value (true) or the generated one. */
  readonly fromWorld: Readonly<Record<string, boolean>>;
  readonly credential: number;
  readonly account: 'ops' | 'reseller' | 'customer';
  readonly freshInstallation: boolean;
}

const worldFields = ['customerId', 'resellerId', 'licenseId', 'installationId', 'productId', 'key', 'type'];

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  fromWorld: fc.record(Object.fromEntries(worldFields.map((field) => [field, fc.boolean()]))),
  credential: fc.nat(),
  account: fc.constantFrom('ops', 'reseller', 'customer'),
  freshInstallation: fc.boolean(),
});

/** A request as the document describes it: parameters by location and name, and the body. */
interface GeneratedRequest {
  readonly path: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly header: Record<string, unknown>;
  readonly body?: unknown;
}

function generatedRequest(document: OpenAPIObject, contract: Contract, seed: number): GeneratedRequest {
  const location = (where: string) => {
    const inLocation = contract.parameters.filter((parameter) => parameter.in === where);
    return {
      type: 'object',
      properties: Object.fromEntries(inLocation.map((parameter) => [parameter.name, parameter.schema as JsonSchema])),
      required: inLocation.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      additionalProperties: false,
    };
  };
  const schema = {
    type: 'object',
    properties: { path: location('path'), query: location('query'), header: location('header'), ...(contract.body ? { body: contract.body.schema } : {}) },
    required: ['path', 'query', 'header', ...(contract.body?.required ? ['body'] : [])],
    components: document.components,
  } as JsonSchema;
  return generateSync(schema, { seed, optionalsProbability: 0.5 }) as GeneratedRequest;
}

/** The generated values, with the fields the case takes from the world replaced by the world's. */
function withWorld(values: Record<string, unknown>, fromWorld: Case['fromWorld'], installation: TestInstallation): Record<string, unknown> {
  const worldValues: Record<string, string> = { ...world.values, installationId: installation.id };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, fromWorld[name] && name in worldValues ? worldValues[name] : value]));
}

interface Sent {
  readonly request: GeneratedRequest;
  readonly valid: boolean;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
  readonly requestId: string | null;
}

/** Whether every part of the request is one the document admits. */
function admitted(contract: Contract, generated: GeneratedRequest): boolean {
  const parametersValid = contract.parameters.every((parameter) => {
    const value = (generated[parameter.in as 'path' | 'query' | 'header'] as Record<string, unknown>)[parameter.name];
    if (value === undefined) return !parameter.required;
    return contract.parameterValidators.get(`${parameter.in}:${parameter.name}`)?.(value) ?? false;
  });
  const bodyValid = !contract.body || (generated.body === undefined ? !contract.body.required : contract.body.validate(generated.body));
  return parametersValid && bodyValid;
}

async function send(document: OpenAPIObject, contract: Contract, testCase: Case): Promise<Sent> {
  const installation = testCase.freshInstallation ? await newInstallation() : world.installation;
  const generated = generatedRequest(document, contract, testCase.seed);
  const sent: GeneratedRequest = {
    path: withWorld(generated.path, testCase.fromWorld, installation),
    query: withWorld(generated.query, testCase.fromWorld, installation),
    header: generated.header,
    ...(generated.body !== undefined ? { body: isObject(generated.body) ? withWorld(generated.body, testCase.fromWorld, installation) : generated.body } : {}),
  };
  const { path, method } = contract.operation;
  const concretePath = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(sent.path[name])));
  const search = new URLSearchParams(Object.entries(sent.query).map(([name, value]): [string, string] => [name, String(value)])).toString();
  const headers: Record<string, string> = Object.fromEntries(Object.entries(sent.header).map(([name, value]) => [name, String(value)]));
  // One of the operation's credential alternatives, each with what it takes: an API key, a fresh DPoP proof, or both.
  const schemes = contract.credentials.length === 0 ? [] : (contract.credentials[testCase.credential % contract.credentials.length] ?? []);
  const apiKey = schemes.includes('iam') ? world.apiKeys.ops : schemes.includes('apiKey') ? world.apiKeys[testCase.account] : undefined;
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const credential: Credential = schemes.includes('dpop') ? { installation } : undefined;
  const answer = await request<unknown>(baseUrl, method.toUpperCase(), `${concretePath}${search ? `?${search}` : ''}`, { credential, headers, ...(sent.body === undefined ? {} : { body: sent.body }) });
  return {
    request: sent,
    valid: admitted(contract, sent),
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    body: answer.body,
    requestId: answer.headers.get('x-request-id'),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What is wrong with an answer by the document, or undefined when nothing is. */
function breach(contract: Contract, sent: Sent): string | undefined {
  if (sent.status >= 500) return `answered ${sent.status}`;
  const documented = contract.responses.get(String(sent.status));
  if (!documented) return `answered ${sent.status}, which the operation does not document`;
  if (!sent.requestId) return 'answered without X-Request-Id';
  if ((sent.contentType?.split(';')[0] ?? undefined) !== documented.contentType && documented.contentType !== undefined) {
    return `answered ${sent.contentType ?? 'no content type'}, documented ${documented.contentType}`;
  }
  if (documented.validate && !documented.validate(sent.body)) return `answered a body outside its schema: ${JSON.stringify(documented.validate.errors)}`;
  const problem = isObject(sent.body) ? sent.body : {};
  if (sent.valid && (problem.code === 'VALIDATION_FAILED' || problem.code === 'MALFORMED_JSON')) {
    const checked = new Set(contract.operation.operation['x-server-checked-fields'] ?? []);
    const errors = Array.isArray(problem.errors) ? (problem.errors as Array<{ path?: string }>) : [];
    if (errors.length === 0 || errors.some((error) => !checked.has(error.path ?? ''))) {
      return `refused a request the document admits with ${String(problem.code)}: ${JSON.stringify(problem.errors ?? problem.detail)}`;
    }
  }
  return undefined;
}

/** Runs the bounded property over one operation; the failure fast-check found, with its seed, or undefined. */
async function conformanceFailure(document: OpenAPIObject, contract: Contract): Promise<string | undefined> {
  const details = await fc.check(
    fc.asyncProperty(caseArbitrary, async (testCase) => {
      const sent = await send(document, contract, testCase);
      const found = breach(contract, sent);
      if (found) throw new Error(`${found}\nrequest: ${JSON.stringify(sent.request)}\nanswer ${sent.status}: ${JSON.stringify(sent.body)}`);
    }),
    { numRuns: runsPerOperation, endOnFailure: true },
  );
  return details.failed ? `${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance)} (seed ${details.seed})` : undefined;
}

const published = openApiDocument as unknown as OpenAPIObject;
const publishedContracts = contractsOf(published);

describe('the server answers as openapi.json says', () => {
  it('covers every operation of the document', () => {
    expect(publishedContracts.length).toBe(operationsOf(published).length);
    expect(publishedContracts.length).toBeGreaterThan(20);
  });

  it.each(publishedContracts.map((contract) => [`${contract.operation.method.toUpperCase()} ${contract.operation.path}`, contract] as const))(
    '%s',
    async (_, contract) => {
      expect(await conformanceFailure(published, contract)).toBeUndefined();
    },
  );
});

/** The document as it was before it said exactly what the server takes: the checks above must fail on it. */
const loosenings: ReadonlyArray<readonly [what: string, operationId: string, loosen: (document: OpenAPIObject) => void]> = [
  [
    'a list `limit` up to 999',
    'listLicenses',
    (document) => {
      const limit = (document.paths?.['/v1/licenses']?.get?.parameters as ParameterObject[]).find((parameter) => parameter.name === 'limit');
      Object.assign(limit?.schema ?? {}, { maximum: 999 });
    },
  ],
  [
    'an activation body with key and licenseId both optional',
    'activate',
    (document) => {
      const schemas = document.components?.schemas ?? {};
      const byKey = schemas.KeyActivationInput as { properties: Record<string, unknown>; required: string[] };
      const byLicenseId = schemas.LicenseIdActivationInput as { properties: Record<string, unknown> };
      schemas.ActivationInput = {
        type: 'object' as const,
        properties: { ...byKey.properties, ...byLicenseId.properties } as Record<string, SchemaObject>,
        required: byKey.required.filter((name) => name !== 'key'),
        additionalProperties: false,
      };
    },
  ],
];

describe('the conformance check catches a document looser than the server', () => {
  it.each(loosenings)('%s', async (_, operationId, loosen) => {
    const document = structuredClone(published);
    loosen(document);
    const contract = contractsOf(document).find(({ operation }) => operation.operation.operationId === operationId);
    if (!contract) throw new Error(`no operation ${operationId}`);

    const failure = await conformanceFailure(document, contract);

    expect(failure).toMatch(/refused a request the document admits with VALIDATION_FAILED/);
  });
});
