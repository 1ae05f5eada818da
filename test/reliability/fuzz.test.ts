import { randomUUID } from 'node:crypto';
import { fc, it } from '@fast-check/vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWK, KeyObject } from 'jose';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, vi } from 'vitest';
import * as z from 'zod/mini';
import openApiDocument from '../../openapi.json' with { type: 'json' };
import { table } from '#lib/platform/dynamodb.js';
import { logger } from '#lib/platform/logger.js';
import { authenticateApiKey } from '#lib/auth/authenticate-api-key.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import { operations } from '#lib/openapi/operations.js';
import { requestOf } from '@license-activation/contract/requests';
import { Problem } from '@license-activation/contract/problem';
import { routeById, routes } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import { AccountInput, ActivationInput, AssociationInput, HeartbeatInput, IssueLicenseInput, LicenseStatusChangeInput, OfflineActivationInput, OfflineRequestClaims, TrialInput } from '@license-activation/contract/schemas';
import { generateLicenseKey } from '#lib/licenses/license-key.js';
import { call, eventFor, newInstallation, publicUrl, send } from '../support/api.js';
import { request, startLocalService } from '../support/http-client.js';
import type { TestInstallation } from '../support/api.js';
import { checkLedger } from '../support/ledger.js';
import { changesTable } from '../support/fault-injection.js';
import { nearValidBodies, prototypeNames } from '../support/near-valid.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../support/scenario.js';
import type { TestAccount } from '../support/scenario.js';

// Every route, through its real handler against DynamoDB Local, receives random and near-valid bodies,
// headers, path parameters, query strings, DPoP proofs and offline request files. Whatever arrives,
// the answer is a status the route documents in openapi.json (never a 500), errors are problem documents
// with a code documented for that status, successes match their schema, and a refused request writes
// nothing (but the failed-key counter that the rate limit relies on, and the spending of its DPoP proof).

/** Modest in `npm test`; `FUZZ_RUNS=1000 npx vitest run test/reliability/fuzz.test.ts` hunts deeper. */
const runsPerRoute = Number(process.env.FUZZ_RUNS ?? 30);

// ---------------------------------------------------------------- the world the requests refer to

/** `$name` tokens in generated requests stand for ids and secrets of the world, resolved when sent. */
const tokens = new Map<string, string | number>();
const accounts: Record<string, TestAccount> = {};
const installations: Record<string, TestInstallation> = {};
const cursors = new Map<RouteId, string>();

beforeAll(async () => {
  const reseller = await createReseller();
  const customer = await createCustomerOf(reseller);
  await createCustomerOf(reseller);
  Object.assign(accounts, { reseller, customer, otherReseller: await createReseller(), otherCustomer: await registerCustomer() });
  const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, maxActivations: 1000, quantity: 10 });
  const spare = await issueLicense(reseller.principal, { customerId: customer.account.id, productId: 'modeler', type: 'server' });
  const other = await issueLicense(opsPrincipal, { customerId: accounts.otherCustomer?.account.id ?? '' });
  const installation = await newInstallation();
  const trialInstallation = await newInstallation();
  const usedMachine = machine();
  expect((await call('activate', { installation, body: { key, productId: 'authserver', ...machine() } })).status).toBe(201);
  expect((await call('startTrial', { installation: trialInstallation, body: { productId: 'authserver', ...usedMachine } })).status).toBe(201);
  Object.assign(installations, { installation, trialInstallation });
  // A key's use is recorded at most once an hour, on its first use: done here, so that a refused request writes nothing.
  for (const apiKey of [reseller.apiKey, customer.apiKey, accounts.otherCustomer?.apiKey ?? '']) await authenticateApiKey(apiKey, { table: table(), opsApiKey: async () => undefined });
  const now = Math.floor(Date.now() / 1000);
  for (const [name, value] of Object.entries({
    reseller: reseller.account.id,
    customer: customer.account.id,
    otherReseller: accounts.otherReseller?.account.id,
    otherCustomer: accounts.otherCustomer?.account.id,
    license: license.id,
    otherLicense: other.license.id,
    spareLicense: spare.license.id,
    installation: installation.id,
    trialInstallation: trialInstallation.id,
    key,
    otherKey: other.key,
    keyLowercase: key.toLowerCase().replaceAll('-', ''),
    keyTypo: `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`,
    keyUnknown: generateLicenseKey(),
    resellerApiKey: reseller.apiKey,
    customerApiKey: customer.apiKey,
    otherCustomerApiKey: accounts.otherCustomer?.apiKey,
    opsApiKey: process.env.OPS_API_KEY,
    usedFingerprint: usedMachine.fingerprint,
    tomorrow: new Date(Date.now() + 86_400_000).toISOString(),
    yesterday: new Date(Date.now() - 86_400_000).toISOString(),
    now,
    eightDaysAgo: now - 8 * 86_400,
  })) {
    tokens.set(`$${name}`, value ?? '');
  }
  const firstPage = async (routeId: RouteId, as: AccountPrincipal, params?: Record<string, string>) => {
    const answer = await call<{ nextCursor?: string }>(routeId, { as, params, query: { limit: '1' } });
    if (answer.body.nextCursor) cursors.set(routeId, answer.body.nextCursor);
  };
  await firstPage('listCustomers', reseller.principal);
  await firstPage('listLicenses', reseller.principal);
  await firstPage('listCustomerEvents', customer.principal, { customerId: customer.account.id });
  await firstPage('listLicenseEvents', customer.principal, { licenseId: license.id });
});

let requestsSent = 0;
afterAll(async () => {
  expect(await checkLedger(table())).toEqual([]);
  expect(requestsSent).toBeGreaterThan(0);
});

const tokenPattern = /\$[A-Za-z]+/g;

/** The request with its `$tokens` replaced by the world's values (a whole-string token keeps its type; `$jti` is fresh each time). */
function resolve(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === '$jti') return randomUUID();
    const whole = tokens.get(value);
    if (whole !== undefined) return whole;
    return value.replace(tokenPattern, (token) => String(tokens.get(token) ?? token));
  }
  if (Array.isArray(value)) return value.map(resolve);
  if (value !== null && typeof value === 'object') {
    const resolved = {};
    for (const [name, item] of Object.entries(value)) Object.defineProperty(resolved, name, { value: resolve(item), enumerable: true });
    return resolved;
  }
  return value;
}

// ---------------------------------------------------------------- signed things: DPoP proofs and offline request files

interface KeyPair {
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

async function newKeyPair(algorithm: 'ES256' | 'ES384' = 'ES256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return { privateKey: privateKey as KeyObject, jwk: await exportJWK(publicKey) };
}

/** Who signs: an installation the world knows, or a key never seen before. */
type Signer = 'installation' | 'trialInstallation' | 'fresh';
/** What is wrong with the JWS header, if anything. */
type HeaderFault = 'none' | 'no-typ' | 'typ-jwt' | 'no-jwk' | 'private-jwk' | 'other-curve' | 'other-key' | 'alg-none';

interface SignedSpec {
  readonly signer: Signer;
  readonly header: HeaderFault;
  readonly tamper: boolean;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS of `typ` over `claims`, with the fault `spec` asks for. World installations keep their keys: their proofs vary in claims only. */
async function signed(spec: SignedSpec, typ: string, claims: Record<string, unknown>): Promise<string> {
  let jws: string;
  const known = spec.signer === 'fresh' ? undefined : installations[spec.signer];
  if (known) {
    jws = await known.sign(spec.header === 'typ-jwt' ? 'JWT' : typ, claims);
  } else {
    const key = await newKeyPair(spec.header === 'other-curve' ? 'ES384' : 'ES256');
    const alg = spec.header === 'other-curve' ? 'ES384' : 'ES256';
    const jwk = spec.header === 'private-jwk' ? await exportJWK(key.privateKey) : spec.header === 'other-key' ? (await newKeyPair()).jwk : key.jwk;
    const header = {
      alg,
      ...(spec.header === 'no-typ' ? {} : { typ: spec.header === 'typ-jwt' ? 'JWT' : typ }),
      ...(spec.header === 'no-jwk' ? {} : { jwk }),
    };
    jws = spec.header === 'alg-none' ? `${b64({ ...header, alg: 'none' })}.${b64(claims)}.` : await new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
  }
  if (!spec.tamper) return jws;
  const last = jws.at(-2) === 'A' ? 'B' : 'A';
  return `${jws.slice(0, -2)}${last}${jws.slice(-1)}`;
}

const signedSpec: fc.Arbitrary<SignedSpec> = fc.record({
  signer: fc.constantFrom<Signer>('installation', 'trialInstallation', 'fresh'),
  header: fc.oneof({ weight: 4, arbitrary: fc.constant<HeaderFault>('none') }, fc.constantFrom<HeaderFault>('no-typ', 'typ-jwt', 'no-jwk', 'private-jwk', 'other-curve', 'other-key', 'alg-none')),
  tamper: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, fc.constant(true)),
});

type DpopSpec = { readonly kind: 'absent' } | { readonly kind: 'garbage'; readonly text: string } | { readonly kind: 'signed'; readonly spec: SignedSpec; readonly claim?: readonly [string, unknown] };

/** One claim of a DPoP proof set off, or left out (`undefined`). */
const dpopClaimFault = fc.oneof(
  fc.constantFrom(['htm', 'GET'], ['htm', 'post'], ['htm', 42], ['htm', undefined]),
  fc.constantFrom(['htu', 'http://127.0.0.1:3000/v1/other'], ['htu', 'not a url'], ['htu', 42], ['htu', undefined], ['htu', '$pathWithSlash']),
  fc.constantFrom(['iat', -301], ['iat', 301], ['iat', -100_000], ['iat', 'yesterday'], ['iat', undefined]),
  fc.constantFrom(['jti', undefined], ['jti', ''], ['jti', 42], ['jti', 'x'.repeat(257)], ['jti', '€'.repeat(256)], ['jti', '😀'.repeat(128)]),
  fc.constantFrom(['exp', -10], ['nbf', 3600]),
) as fc.Arbitrary<readonly [string, unknown]>;

const dpopSpec: fc.Arbitrary<DpopSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((text) => ({ kind: 'garbage' as const, text })) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('signed' as const), spec: signedSpec, claim: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: dpopClaimFault }) }) },
);

async function dpopProof(spec: DpopSpec, method: string, path: string): Promise<string | undefined> {
  if (spec.kind === 'absent') return undefined;
  if (spec.kind === 'garbage') return spec.text;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { jti: randomUUID(), htm: method, htu: publicUrl(path), iat: now };
  if (spec.claim) {
    const [name, value] = spec.claim;
    const relative = (name === 'iat' || name === 'exp' || name === 'nbf') && typeof value === 'number' ? now + value : value;
    if (relative === undefined) delete claims[name];
    else claims[name] = relative === '$pathWithSlash' ? publicUrl(`${path}/`) : resolve(relative);
  }
  return signed(spec.spec, 'dpop+jwt', claims);
}

/** `$jti` becomes a fresh id for each file, so that a file is refused for what is wrong with it, not for being used before. */
const offlineClaims = { key: '$key', productId: 'authserver', fingerprint: 'offline-machine', hostname: 'offline.example', version: '5.0.0', virtual: false, iat: '$now', jti: '$jti' };

const offlineClaimSets = nearValidBodies(OfflineRequestClaims, offlineClaims, { key: ['$keyTypo', '$keyUnknown', '$otherKey', '$keyLowercase'], iat: ['$eightDaysAgo', '$tomorrow'], productId: ['vault', 'modeler'] });

const offlineFile = fc.record({
  spec: signedSpec,
  claims: fc.constantFrom(...offlineClaimSets),
  typ: fc.oneof({ weight: 2, arbitrary: fc.constant('activation-request+jwt') }, fc.constant('dpop+jwt')),
});

// ---------------------------------------------------------------- requests

type BodySpec =
  | { readonly kind: 'absent' }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string }
  /** A JSON string of about this many bytes, around the 64 KiB limit. */
  | { readonly kind: 'sized'; readonly bytes: number }
  | { readonly kind: 'offline'; readonly file: { spec: SignedSpec; claims: unknown; typ: string } };

interface RequestSpec {
  readonly as: keyof typeof principals | undefined;
  readonly authorization: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly dpop: DpopSpec;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>> | undefined;
  /** Headers and query parameters no route reads, named like members of Object.prototype now and then. */
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly extraQuery: Readonly<Record<string, string>>;
  readonly body: BodySpec;
}

const principals = {
  ops: () => opsPrincipal,
  reseller: () => accounts.reseller?.principal,
  customer: () => accounts.customer?.principal,
  otherReseller: () => accounts.otherReseller?.principal,
  otherCustomer: () => accounts.otherCustomer?.principal,
} as const;

const nastyStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ...prototypeNames, 'x'.repeat(300), '€'.repeat(256), '😀'.repeat(200), '../..', '%2F', 'lic_', 'acc_', ' '),
);

const idsByParameter: Readonly<Record<string, readonly string[]>> = {
  licenseId: ['$license', '$otherLicense', '$spareLicense'],
  installationId: ['$installation', '$trialInstallation'],
  customerId: ['$customer', '$otherCustomer', '$reseller'],
  resellerId: ['$reseller', '$otherReseller', '$customer'],
};

/** Revoking is final: the license the installation routes work with stays out of its reach. */
const parameterOverrides: Partial<Record<RouteId, Readonly<Record<string, readonly string[]>>>> = {
  revokeLicense: { licenseId: ['$spareLicense', '$otherLicense'] },
};

/** API Gateway routes no empty path segment, so a parameter is never empty. */
const parameterValue = (name: string, routeId?: RouteId) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(parameterOverrides[routeId ?? 'health']?.[name] ?? idsByParameter[name] ?? ['x'])) },
    { weight: 2, arbitrary: nastyStrings.filter((value) => value !== '') },
  );

const authorization = fc.option(
  fc.oneof(
    fc.constantFrom('Bearer $customerApiKey', 'Bearer $resellerApiKey', 'Bearer $opsApiKey', 'Bearer $otherCustomerApiKey', 'Bearer lak_unknown', 'Basic dXNlcjpwYXNz', 'Bearer', 'bearer  $customerApiKey '),
    fc.string({ unit: 'binary-ascii', maxLength: 80 }),
  ),
  { nil: undefined },
);

/** Set one key of the route's real cursor (by its index there), or a key of its own, or remove it: cursors are opaque to clients but not secret. */
const cursorKeys: readonly (number | string)[] = [0, 1, 2, 3, 'extra'];
const cursorValues: readonly unknown[] = [undefined, 42, '€'.repeat(400), 'x'.repeat(1024), '$otherCustomer', 'ACCOUNT#$otherCustomer', 'CUSTOMER#$otherCustomer', 'EVENT#', 'LICENSE#$otherLicense'];
const cursorFault = fc.record({ key: fc.constantFrom(...cursorKeys), value: fc.constantFrom(...cursorValues) });

const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight: number) => fc.oneof({ weight, arbitrary }, { weight: 1, arbitrary: fc.constant(undefined) });

/** A list's query string, each parameter left out now and then; an unknown parameter is rare. */
const listQuery = (withCustomerId: boolean) =>
  fc
    .record({
      limit: sometimes(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1', '2', '50', '100') }, fc.constantFrom('0', '101', '-1', '1.5', '007', '', '1e2'), fc.string({ maxLength: 5 })), 2),
      cursor: sometimes(fc.oneof({ weight: 2, arbitrary: fc.constant('$cursor') }, { weight: 3, arbitrary: cursorFault }, fc.string({ maxLength: 60 }), fc.base64String({ maxLength: 80 })), 1),
      customerId: withCustomerId ? sometimes(parameterValue('customerId'), 1) : fc.constant(undefined),
      extra: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.string({ maxLength: 5 })),
    })
    .map((query) => Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)));

/** Every body one mistake from a valid one, per route (packages/contract/src/schemas.ts, through `nearValidBodies`). */
const nearValidBodiesOf: Partial<Record<RouteId, readonly Record<string, unknown>[]>> = {
  registerAccount: nearValidBodies(AccountInput, { name: 'Acme', email: 'it@acme.example' }),
  createReseller: nearValidBodies(AccountInput, { name: 'Partner', email: 'sales@partner.example' }),
  createCustomer: nearValidBodies(AccountInput, { name: 'Acme', email: 'it@acme.example' }),
  addAssociation: nearValidBodies(AssociationInput, { resellerId: '$otherReseller', customerId: '$customer' }, { resellerId: idsByParameter.resellerId ?? [], customerId: idsByParameter.customerId ?? [] }),
  issueLicense: nearValidBodies(
    IssueLicenseInput,
    { customerId: '$customer', productId: 'vault', type: 'edition', edition: 'premium', quantity: 2, maxActivations: 3, expiresAt: '$tomorrow' },
    { customerId: idsByParameter.customerId ?? [], productId: ['authserver', 'modeler', 'nope'], edition: ['express', 'professional', 'gold'], expiresAt: ['$yesterday'] },
  ),
  suspendLicense: nearValidBodies(LicenseStatusChangeInput, { reason: 'unpaid' }),
  reinstateLicense: nearValidBodies(LicenseStatusChangeInput, { reason: 'paid' }),
  revokeLicense: nearValidBodies(LicenseStatusChangeInput, {}),
  startTrial: nearValidBodies(TrialInput, { productId: 'authserver', ...machine() }, { productId: ['vault', 'modeler', 'nope'], fingerprint: ['$usedFingerprint'] }),
  activate: [
    ...nearValidBodies(ActivationInput, { key: '$key', productId: 'authserver', ...machine() }, { key: ['$otherKey', '$keyLowercase', '$keyTypo', '$keyUnknown'], productId: ['vault', 'modeler', 'nope'] }),
    ...nearValidBodies(ActivationInput, { licenseId: '$license', customerId: '$customer', productId: 'authserver', ...machine() }, { licenseId: idsByParameter.licenseId ?? [], customerId: idsByParameter.customerId ?? [] }),
  ],
  heartbeat: nearValidBodies(HeartbeatInput, { version: '5.1.0', usage: { activeUsers: 3 } }),
  offlineActivate: nearValidBodies(OfflineActivationInput, { request: 'x' }),
};

function bodySpec(routeId: RouteId): fc.Arbitrary<BodySpec> {
  const bodies = nearValidBodiesOf[routeId];
  const valid = bodies && fc.constantFrom(...bodies);
  return fc.oneof(
    { weight: valid ? 1 : 6, arbitrary: fc.constant({ kind: 'absent' as const }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json' as const, value })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ kind: 'text' as const, text })) },
    { weight: 1, arbitrary: fc.integer({ min: 64 * 1024 - 2, max: 64 * 1024 + 2 }).map((bytes) => ({ kind: 'sized' as const, bytes })) },
    ...(valid ? [{ weight: 6, arbitrary: valid.map((value) => ({ kind: 'json' as const, value })) }] : []),
    ...(routeId === 'offlineActivate' ? [{ weight: 6, arbitrary: offlineFile.map((file) => ({ kind: 'offline' as const, file })) }] : []),
  );
}

const extraNames = fc.dictionary(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...prototypeNames) }, fc.stringMatching(/^[a-z][a-z-]{0,15}$/)), fc.string({ unit: 'binary-ascii', maxLength: 20 }), { maxKeys: 3 });
const sometimesExtraNames = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, extraNames);

/** Who the world's cursor of a list belongs to: such a caller is asked for more often, so forged cursors get past authorization. */
const cursorOwners: Partial<Record<RouteId, keyof typeof principals>> = {
  listCustomers: 'reseller',
  listLicenses: 'reseller',
  listCustomerEvents: 'customer',
  listLicenseEvents: 'customer',
};

function requestSpec(routeId: RouteId): fc.Arbitrary<RequestSpec> {
  const route = routeById(routeId);
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const listed = requestOf(routeId).query !== undefined;
  const anyone = fc.option(fc.constantFrom(...(Object.keys(principals) as (keyof typeof principals)[])), { nil: undefined });
  const owner = cursorOwners[routeId];
  return fc.record({
    as: owner ? fc.oneof({ weight: 2, arbitrary: fc.constant(owner) }, anyone) : anyone,
    authorization,
    idempotencyKey: routeId === 'issueLicense' ? fc.option(fc.oneof(fc.uuid(), fc.string({ unit: 'binary', maxLength: 30 }), fc.constant('k'.repeat(256))), { nil: undefined }) : fc.constant(undefined),
    dpop: dpopSpec,
    params: fc.record(Object.fromEntries(names.map((name) => [name, parameterValue(name, routeId)]))) as fc.Arbitrary<Record<string, string>>,
    query: listed ? fc.option(listQuery(routeId === 'listLicenses'), { nil: undefined }) : fc.constant(undefined),
    extraHeaders: sometimesExtraNames,
    extraQuery: sometimesExtraNames,
    body: bodySpec(routeId),
  });
}

function cursorFor(routeId: RouteId, value: unknown): unknown {
  const real = cursors.get(routeId);
  if (value === '$cursor') return real ?? 'no-cursor';
  if (value === null || typeof value !== 'object' || !('key' in value) || real === undefined) return value;
  const { key, value: replacement } = value as { key: number | string; value: unknown };
  const decoded = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, unknown>;
  const names = Object.keys(decoded);
  const name = typeof key === 'number' ? (names[key % names.length] ?? 'extra') : key;
  if (replacement === undefined) delete decoded[name];
  else decoded[name] = resolve(replacement);
  return Buffer.from(JSON.stringify(decoded)).toString('base64url');
}

async function rawBody(spec: BodySpec): Promise<string | undefined> {
  switch (spec.kind) {
    case 'absent':
      return undefined;
    case 'text':
      return spec.text;
    case 'sized':
      return JSON.stringify('x'.repeat(spec.bytes - 2));
    case 'json':
      return JSON.stringify(resolve(spec.value)) ?? 'null';
    case 'offline': {
      const claims = resolve(spec.file.claims) as Record<string, unknown>;
      return JSON.stringify({ request: await signed(spec.file.spec, spec.file.typ, claims) });
    }
  }
}

// ---------------------------------------------------------------- what the document promises

interface DocumentedResponse {
  readonly content?: { readonly 'application/problem+json'?: { readonly schema: { readonly allOf: readonly [unknown, { readonly properties: { readonly code: { readonly enum: readonly string[] } } }] } } };
}
type DocumentedOperation = { readonly responses: Readonly<Record<string, DocumentedResponse>> };
const documentedPaths = openApiDocument.paths as unknown as Record<string, Record<string, DocumentedOperation>>;

function documented(routeId: RouteId): Map<number, readonly string[] | undefined> {
  const route = routeById(routeId);
  const responses = documentedPaths[route.path]?.[route.method.toLowerCase()]?.responses ?? {};
  return new Map(Object.entries(responses).map(([status, response]) => [Number(status), response.content?.['application/problem+json']?.schema.allOf[1].properties.code.enum]));
}

// ---------------------------------------------------------------- writes the handlers make

/** Successful writes since the last `take`, recorded on the real client: the sort keys of the items each writes. */
const writes: { operation: string; sortKeys: unknown[] }[] = [];

type WriteInput = { Key?: { sk?: unknown }; Item?: { sk?: unknown }; TransactItems?: { Put?: { Item?: { sk?: unknown } }; Update?: { Key?: { sk?: unknown } }; Delete?: { Key?: { sk?: unknown } } }[] };

/** The sort keys of the items a write changes (a transaction's condition checks change none). */
function writtenSortKeys(input: WriteInput): unknown[] {
  if (!input.TransactItems) return [(input.Key ?? input.Item)?.sk];
  return input.TransactItems.flatMap((item) => {
    const written = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key;
    return written ? [written.sk] : [];
  });
}
beforeAll(() => {
  table().client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = String(context.commandName).replace(/Command$/, '');
      if (changesTable(operation, args.input)) {
        writes.push({ operation, sortKeys: writtenSortKeys(args.input as WriteInput) });
      }
      return result;
    },
    { step: 'initialize', name: 'recordWrites' },
  );
});
afterAll(() => {
  table().client.middlewareStack.remove('recordWrites');
});

/** A refused key activation counts toward the installation's failure limit: a write a refusal makes. */
const countsKeyFailure = (routeId: RouteId, code: unknown) => (routeId === 'activate' || routeId === 'offlineActivate') && (code === 'KEY_MALFORMED' || code === 'LICENSE_NOT_FOUND');

/**
 * The writes a refusal may make: the failed-key counter, and the spending of the DPoP proof it bore (API.md §2),
 * a transaction of its own that writes only the installation item or, before it has one, its proof ledger.
 */
function refusalWrites(routeId: RouteId, event: APIGatewayProxyEvent, code: unknown) {
  const spendsProof = (write: (typeof writes)[number]) =>
    event.headers.DPoP !== undefined && write.operation === 'TransactWriteItems' && write.sortKeys.length === 1 && ['INSTALLATION', 'PROOFS'].includes(String(write.sortKeys[0]));
  const countsFailure = (write: (typeof writes)[number]) => countsKeyFailure(routeId, code) && write.sortKeys.every((sk) => sk === 'KEY_FAILURES');
  return writes.filter((write) => !spendsProof(write) && !countsFailure(write));
}

/**
 * Sends an event to its route's handler and checks the answer against the document: a documented
 * status (never 500 or 503) and code, a problem document for errors, the documented schema for
 * successes, and no write for a refusal (but the failed-key counter the rate limit relies on).
 */
async function sendChecked(routeId: RouteId, event: APIGatewayProxyEvent): Promise<void> {
  writes.length = 0;
  // What the handler logged of a 5xx (the test setup silences the log): the fault, should one appear.
  const failures = vi.spyOn(logger, 'error');
  const answer = await send<Record<string, unknown>>(event);
  requestsSent += 1;
  const statuses = documented(routeId);
  const logged = answer.status >= 500 ? ` logged: ${inspect(failures.mock.calls, { depth: 6 })}` : '';
  failures.mockRestore();
  const what = `${answer.status} ${JSON.stringify(answer.body)}${logged}`;
  expect(statuses.has(answer.status), what).toBe(true);
  expect(answer.status, what).not.toBe(500);
  expect(answer.status, what).not.toBe(503);
  expect(answer.headers['x-request-id']).toBeTruthy();
  if (answer.status >= 400) {
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(Problem.parse(answer.body)).toMatchObject({ status: answer.status });
    expect(statuses.get(answer.status), what).toContain(answer.body.code);
    expect(refusalWrites(routeId, event, answer.body.code), what).toEqual([]);
  } else {
    const schema = operations[routeId].responses.find((response) => response.status === answer.status)?.schema;
    if (schema && '_zod' in schema) expect(z.safeParse(schema, answer.body).error, what).toBeUndefined();
  }
}

/** Who may call each route with a body, and with which path: near-valid bodies then reach the domain logic. */
const rightfulCaller: Partial<Record<RouteId, { as?: keyof typeof principals; installation?: 'installation' | 'fresh'; authorization?: string; params?: Record<string, string> }>> = {
  createReseller: { as: 'ops' },
  addAssociation: { as: 'ops' },
  createCustomer: { as: 'reseller' },
  issueLicense: { as: 'reseller' },
  suspendLicense: { as: 'reseller', params: { licenseId: '$spareLicense' } },
  reinstateLicense: { as: 'reseller', params: { licenseId: '$spareLicense' } },
  revokeLicense: { as: 'ops', params: { licenseId: '$otherLicense' } },
  startTrial: { installation: 'fresh' },
  activate: { installation: 'fresh', authorization: 'Bearer $customerApiKey' },
  heartbeat: { installation: 'installation', params: { installationId: '$installation' } },
};

describe('near-valid bodies', () => {
  // Few enough to send them all, each by a caller the route lets in: every field at and past its bounds.
  it.each(Object.keys(nearValidBodiesOf) as RouteId[])('%s answers every body one mistake from valid as documented', async (routeId) => {
    const caller = rightfulCaller[routeId] ?? {};
    const offline = routeId === 'offlineActivate' ? offlineClaimSets : [];
    const bodies = [...(nearValidBodiesOf[routeId] ?? []), ...offline];
    for (const [index, body] of bodies.entries()) {
      const installation = caller.installation === 'installation' ? installations.installation : await newInstallation();
      const resolved = resolve(body) as Record<string, unknown>;
      const rawBody = index < bodies.length - offline.length ? JSON.stringify(resolved) : JSON.stringify({ request: await installation?.sign('activation-request+jwt', resolved) });
      const headers = caller.authorization ? { Authorization: String(resolve(caller.authorization)) } : undefined;
      const event = await eventFor(routeId, { params: resolve(caller.params ?? {}) as Record<string, string>, headers, rawBody, as: caller.as && principals[caller.as](), installation: caller.installation ? installation : undefined });
      await sendChecked(routeId, event);
    }
  });
});

describe('forged cursors', () => {
  const ownParams: Partial<Record<RouteId, Record<string, string>>> = {
    listCustomerEvents: { customerId: '$customer' },
    listLicenseEvents: { licenseId: '$license' },
  };

  // Few enough to try them all: every key of each list's real cursor set to every forged value.
  it.each(Object.entries(cursorOwners))('%s answers a page or 400 to every forged cursor, never a 500', async (routeId, owner) => {
    const answers = new Set<string>();
    for (const key of cursorKeys) {
      for (const value of cursorValues) {
        const cursor = String(cursorFor(routeId as RouteId, { key, value }));
        const params = resolve(ownParams[routeId as RouteId] ?? {}) as Record<string, string>;
        const answer = await call<{ code?: string }>(routeId as RouteId, { as: principals[owner](), params, query: { limit: '1', cursor } });
        answers.add(answer.status === 200 ? '200' : `${answer.status} ${answer.body.code}`);
      }
    }
    expect([...answers].filter((answer) => answer !== '200' && answer !== '400 VALIDATION_FAILED')).toEqual([]);
  });
});

describe('fuzzed requests', () => {
  describe.each(routes.map((route) => [route.id] as const))('%s', (routeId) => {
    const route = routeById(routeId);

    it.prop([requestSpec(routeId)], { numRuns: runsPerRoute })('answers a documented status, never 500, and a refusal writes nothing', async (spec) => {
      const principal = spec.as && principals[spec.as]();
      const listQuery = spec.query && (Object.fromEntries(Object.entries(spec.query).map(([name, value]) => [name, String(resolve(cursorFor(routeId, value)))])) as Record<string, string>);
      const query = Object.keys(spec.extraQuery).length > 0 ? { ...spec.extraQuery, ...listQuery } : listQuery;
      const headers: Record<string, string> = { ...spec.extraHeaders };
      if (spec.authorization !== undefined) headers.Authorization = String(resolve(spec.authorization));
      if (spec.idempotencyKey !== undefined) headers['Idempotency-Key'] = spec.idempotencyKey;
      const event = await eventFor(routeId, { params: resolve(spec.params) as Record<string, string>, query, headers, rawBody: await rawBody(spec.body), as: principal });
      const proof = await dpopProof(spec.dpop, route.method, event.path);
      if (proof !== undefined) {
        event.headers.DPoP = proof;
        event.multiValueHeaders.DPoP = [proof];
      }
      // As the Lambda runtime hands it over: parsed from JSON, plain objects whose own names may be `__proto__`.
      await sendChecked(routeId, JSON.parse(JSON.stringify(event)) as APIGatewayProxyEvent);
    });
  });
});

describe('fuzzed credentials through the local service', () => {
  // API-key routes get their principal from the authorizer, which only the local service runs.
  let baseUrl: string;
  let close: () => Promise<void>;
  beforeAll(async () => ({ baseUrl, close } = await startLocalService()));
  afterAll(() => close());

  const accountRoutes = routes.filter((route) => route.authentication === 'api-key' || route.authentication === 'iam').map((route) => route.id);
  const nearValidAuthorization = fc.oneof(
    fc.constantFrom(
      'Bearer $customerApiKey', '$customerApiKey', 'bearer $resellerApiKey', 'Bearer   $opsApiKey   ', 'Bearer $customerApiKey x', 'Bearer\t$customerApiKey',
      'Bearer $customerApiKeyx', 'Bearer lak_', 'Bearer lak_unknown', 'Basic $customerApiKey', 'Bearer', '',
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,80}$/),
    fc.nat({ max: 700 }).map((length) => `Bearer ${'a'.repeat(length)}`),
  );
  const pathOf = (routeId: RouteId) => routeById(routeId).path.replace(/\{(\w+)\}/g, (_, name: string) => String(resolve(idsByParameter[name]?.[0] ?? 'x')));

  it.prop([fc.constantFrom(...accountRoutes), nearValidAuthorization], { numRuns: runsPerRoute * 3 })('answers 401, 403 or what the route documents, never 500', async (routeId, authorization) => {
    const route = routeById(routeId);
    const answer = await request<{ code?: string }>(baseUrl, route.method, pathOf(routeId), { headers: authorization ? { authorization: String(resolve(authorization)) } : {} });
    requestsSent += 1;
    const statuses = documented(routeId);
    const what = `${answer.status} ${JSON.stringify(answer.body)}`;
    expect(statuses.has(answer.status), what).toBe(true);
    expect(answer.status, what).not.toBe(500);
    if (answer.status >= 400) expect(statuses.get(answer.status), what).toContain(answer.body.code);
  });
});
