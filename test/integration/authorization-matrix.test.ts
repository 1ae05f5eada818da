import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '@license-activation/contract/problem';
import { requestOf } from '@license-activation/contract/requests';
import { routes } from '@license-activation/contract/routes';
import type { DeclaredRouteId, RouteDefinition, RouteId } from '@license-activation/contract/routes';
import type { Account, LicenseIssued } from '@license-activation/contract/schemas';
import { decide, resourceNamed } from '#lib/auth/access.js';
import type { Decision, Resource } from '#lib/auth/access.js';
import { loadResource } from '#lib/auth/access-facts.js';
import { authenticateBearer } from '#lib/auth/authenticate-api-key.js';
import { resolveCaller } from '#lib/auth/authentication.js';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { opsApiKey } from '#lib/auth/ops-api-key.js';
import { storedMemberships } from '#lib/auth/person-memberships.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { validate } from '#lib/http/validation.js';
import { table } from '#lib/platform/dynamodb.js';
import { eventFor, newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { machine } from '../support/scenario.js';
import { signedInPerson, uniqueEmail } from '../support/people.js';
import type { TestPerson } from '../support/people.js';

// Every route × every kind of caller, through the local service (the API Gateway stand-in and its
// authorizer included), and through the access decision itself (lib/auth/access.ts: `decide` on the
// facts `loadResource` reads). A route without a row fails the first test.
// Persons are real people of the local user directory: the owners of R1, C1 and C2 (invited by their
// accounts' emails, and accepted) and a plain member of C1, each acting through that world's account.

const principals = [
  'anonymous', 'customer', 'otherCustomer', 'reseller', 'otherReseller', 'ops', 'installation', 'otherInstallation',
  'customerOwner', 'resellerOwner', 'otherCustomerOwner', 'customerMember',
] as const;
type Principal = (typeof principals)[number];

let baseUrl: string;
let close: () => Promise<void>;
let people: Record<'customerOwner' | 'resellerOwner' | 'otherCustomerOwner' | 'customerMember', TestPerson>;
beforeAll(async () => {
  ({ baseUrl, close } = await startLocalService());
  const [customerOwner, resellerOwner, otherCustomerOwner, customerMember] = await Promise.all(
    ['c1', 'r1', 'c2', 'm1'].map((label) => signedInPerson(uniqueEmail(label))),
  );
  people = { customerOwner: customerOwner!, resellerOwner: resellerOwner!, otherCustomerOwner: otherCustomerOwner!, customerMember: customerMember! };
});
afterAll(() => close());

/** R1 manages C1, whose license L1 is activated on installation I1; R2, C2 and I2 (on trial) are strangers. */
interface World {
  readonly credentials: Record<Principal, Credential>;
  readonly reseller: string;
  readonly otherReseller: string;
  readonly customer: string;
  readonly licenseId: string;
  readonly key: string;
  readonly installation: TestInstallation;
  readonly memberId: string;
  readonly userCode: string;
  readonly deviceCode: string;
  /** C1's webhook endpoint, and a delivery of a test event to it (nothing receives: no dispatcher runs here). */
  readonly endpointId: string;
  readonly deliveryId: string;
}

const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };

async function created<T>(method: string, path: string, credential: Credential, body: unknown): Promise<T> {
  const answer = await request<T>(baseUrl, method, path, { credential, body });
  expect(answer.status, `${method} ${path}`).toBeLessThan(300);
  return answer.body;
}

type AccountAnswer = { account: Account; apiKey: string };

async function newWorld(): Promise<World> {
  const reseller = await created<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'R1', email: people.resellerOwner.email });
  const otherReseller = await created<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'R2', email: 'r2@example.com' });
  const customer = await created<AccountAnswer>('POST', '/v1/customers', { apiKey: reseller.apiKey }, { name: 'C1', email: people.customerOwner.email });
  const otherCustomer = await created<AccountAnswer>('POST', '/v1/accounts/register', undefined, { name: 'C2', email: people.otherCustomerOwner.email });
  const customerId = customer.account.id;
  const issued = await created<LicenseIssued>('POST', '/v1/licenses', { apiKey: reseller.apiKey }, { customerId, productId: 'authserver', type: 'users', quantity: 10, maxActivations: 5 });
  const installation = await newInstallation();
  const otherInstallation = await newInstallation();
  await created('POST', '/v1/activations', { installation }, { key: issued.key, productId: 'authserver', ...machine() });
  await created('POST', '/v1/trials', { installation: otherInstallation }, { productId: 'authserver', ...machine() });
  const member = await created<{ member: { id: string } }>('POST', `/v1/accounts/${customerId}/members`, ops, { email: people.customerMember.email, role: 'member' });
  // Each person accepts the world's invitation: only then does it act through the account.
  await Promise.all(
    ([[people.customerOwner, customerId], [people.resellerOwner, reseller.account.id], [people.otherCustomerOwner, otherCustomer.account.id], [people.customerMember, customerId]] as const).map(
      ([person, accountId]) => created('POST', `/v1/me/invitations/${accountId}/accept`, { apiKey: person.accessToken }, undefined),
    ),
  );
  const started = await created<{ userCode: string; deviceCode: string }>('POST', '/v1/device-authorizations', { installation }, { productId: 'authserver', ...machine() });
  const endpoint = await created<{ endpoint: { id: string } }>('POST', '/v1/webhook-endpoints', { apiKey: customer.apiKey }, { url: 'http://127.0.0.1:9/hooks' });
  const test = await created<{ delivery: { id: string } }>('POST', `/v1/webhook-endpoints/${endpoint.endpoint.id}/test`, { apiKey: customer.apiKey }, undefined);
  const as = (person: TestPerson, accountId: string): Credential => ({ apiKey: person.accessToken, accountId });
  return {
    credentials: {
      customerOwner: as(people.customerOwner, customerId),
      resellerOwner: as(people.resellerOwner, reseller.account.id),
      otherCustomerOwner: as(people.otherCustomerOwner, otherCustomer.account.id),
      customerMember: as(people.customerMember, customerId),
      anonymous: undefined,
      customer: { apiKey: customer.apiKey },
      otherCustomer: { apiKey: otherCustomer.apiKey },
      reseller: { apiKey: reseller.apiKey },
      otherReseller: { apiKey: otherReseller.apiKey },
      ops,
      installation: { installation },
      otherInstallation: { installation: otherInstallation },
    },
    reseller: reseller.account.id,
    otherReseller: otherReseller.account.id,
    customer: customerId,
    licenseId: issued.license.id,
    key: issued.key,
    installation,
    memberId: member.member.id,
    userCode: started.userCode,
    deviceCode: started.deviceCode,
    endpointId: endpoint.endpoint.id,
    deliveryId: test.delivery.id,
  };
}

type Row = readonly [
  request: (world: World, principal: Principal) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown },
  expected: Record<Principal, number>,
];

async function newKeyOf(accountId: string): Promise<string> {
  return (await created<{ apiKey: { id: string } }>('POST', `/v1/accounts/${accountId}/api-keys`, ops, undefined)).apiKey.id;
}

const isPerson = (principal: Principal): principal is keyof typeof people => principal in people;

/** An account that invites the person `principal` is (a fresh one each time: an email holds at most 20 invitations); any account for the others. */
async function invitingAccount(world: World, principal: Principal): Promise<string> {
  if (!isPerson(principal)) return world.customer;
  const account = await created<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'Inviting', email: uniqueEmail('inviting') });
  await created('POST', `/v1/accounts/${account.account.id}/members`, ops, { email: people[principal].email, role: 'member' });
  return account.account.id;
}

/** Expected statuses, in the order of `principals`. */
const expect12 = (...statuses: number[]): Record<Principal, number> =>
  Object.fromEntries(principals.map((principal, index) => [principal, statuses[index] as number])) as Record<Principal, number>;

/**
 * For routes of accounts: a person acting through a membership has exactly that account's rights,
 * so the owners of C1, R1 and C2 and C1's member answer as C1, R1 and C2 do.
 */
const expect8 = (...statuses: number[]): Record<Principal, number> => {
  const [, customer, otherCustomer, reseller] = statuses as [number, number, number, number];
  return expect12(...statuses, customer, reseller, otherCustomer, customer);
};

// anonymous, customer, otherCustomer, reseller, otherReseller, ops, installation, otherInstallation
// (then customerOwner, resellerOwner, otherCustomerOwner, customerMember for the routes of people)
const everyone = (status: number) => expect12(status, status, status, status, status, status, status, status, status, status, status, status);
const personsOnly = (status: number) => expect12(401, 403, 403, 403, 403, 403, 401, 401, status, status, status, status);
const memberAdmin = (status: number) => expect12(401, 403, 403, 403, 403, status, 401, 401, status, 404, 404, 403);
const opsOnly = (status: number) => expect8(401, 403, 403, 403, 403, status, 401, 401);
const ownerView = expect8(401, 200, 404, 200, 404, 200, 401, 401);
const licenseAdmin = expect8(401, 403, 403, 200, 404, 200, 401, 401);
const installationOnly = (own: number, other: number) => expect8(401, 401, 401, 401, 401, 401, own, other);
const account = { name: 'New', email: 'new@example.com' };
/** Webhooks: any account, or a person through an owner membership (a plain member is 403); an endpoint is its owner's alone. */
const webhookAccounts = (status: number) => expect12(401, status, status, status, status, status, 401, 401, status, status, status, 403);
const webhookOwner = (status: number) => expect12(401, status, 404, 404, 404, 404, 401, 401, status, 404, 404, 403);

const declaredMatrix: Record<DeclaredRouteId, Row> = {
  signInConfig: [() => ({ path: '/v1/sign-in-config' }), everyone(200)],
  getMe: [() => ({ path: '/v1/me' }), personsOnly(200)],
  createMyAccount: [() => ({ path: '/v1/me/accounts', body: { name: 'Mine' } }), personsOnly(201)],
  acceptInvitation: [async (world, principal) => ({ path: `/v1/me/invitations/${await invitingAccount(world, principal)}/accept` }), personsOnly(200)],
  declineInvitation: [async (world, principal) => ({ path: `/v1/me/invitations/${await invitingAccount(world, principal)}/decline` }), personsOnly(204)],
  listMembers: [(world) => ({ path: `/v1/accounts/${world.customer}/members` }), memberAdmin(200)],
  addMember: [(world) => ({ path: `/v1/accounts/${world.customer}/members`, body: { email: uniqueEmail('new'), role: 'member' } }), memberAdmin(201)],
  changeMemberRole: [(world) => ({ path: `/v1/accounts/${world.customer}/members/${world.memberId}`, body: { role: 'owner' } }), memberAdmin(200)],
  removeMember: [(world) => ({ path: `/v1/accounts/${world.customer}/members/${world.memberId}` }), memberAdmin(204)],
  listApiKeys: [(world) => ({ path: `/v1/accounts/${world.customer}/api-keys` }), memberAdmin(200)],
  createApiKey: [(world) => ({ path: `/v1/accounts/${world.customer}/api-keys` }), memberAdmin(201)],
  revokeApiKey: [
    // A key of its own for each cell that may revoke it (an account keeps at most 5); the others are refused before any key is looked up.
    async (world, principal) => ({ path: `/v1/accounts/${world.customer}/api-keys/${memberAdmin(204)[principal] === 204 ? await newKeyOf(world.customer) : 'key_unknown'}` }),
    memberAdmin(204),
  ],
  startDeviceAuthorization: [() => ({ path: '/v1/device-authorizations', body: { productId: 'authserver', ...machine() } }), installationOnly(201, 201)],
  deviceToken: [(world) => ({ path: '/v1/device-authorizations/token', body: { deviceCode: world.deviceCode } }), installationOnly(400, 404)],
  getDeviceAuthorization: [(world) => ({ path: `/v1/device-authorizations/${world.userCode}` }), personsOnly(200)],
  approveDeviceAuthorization: [
    (world) => ({ path: `/v1/device-authorizations/${world.userCode}/approve`, body: { licenseId: world.licenseId } }),
    expect12(401, 403, 403, 403, 403, 403, 401, 401, 200, 200, 404, 200),
  ],
  denyDeviceAuthorization: [(world) => ({ path: `/v1/device-authorizations/${world.userCode}/deny` }), personsOnly(200)],
  health: [() => ({ path: '/health' }), everyone(200)],
  jwks: [() => ({ path: '/.well-known/jwks.json' }), everyone(200)],
  openapi: [() => ({ path: '/openapi.json' }), everyone(200)],
  registerAccount: [() => ({ path: '/v1/accounts/register', body: account }), everyone(201)],
  createReseller: [() => ({ path: '/v1/admin/resellers', body: account }), opsOnly(201)],
  addAssociation: [(world) => ({ path: '/v1/admin/associations', body: { resellerId: world.otherReseller, customerId: world.customer } }), opsOnly(201)],
  removeAssociation: [(world) => ({ path: `/v1/admin/associations/${world.reseller}/${world.customer}` }), opsOnly(204)],
  createCustomer: [() => ({ path: '/v1/customers', body: account }), expect8(401, 403, 403, 201, 201, 403, 401, 401)],
  listCustomers: [() => ({ path: '/v1/customers' }), expect8(401, 403, 403, 200, 200, 200, 401, 401)],
  listCustomerEvents: [(world) => ({ path: `/v1/customers/${world.customer}/events` }), ownerView],
  issueLicense: [(world) => ({ path: '/v1/licenses', body: { customerId: world.customer, productId: 'authserver', type: 'users' } }), expect8(401, 403, 403, 201, 404, 201, 401, 401)],
  listLicenses: [() => ({ path: '/v1/licenses' }), expect8(401, 200, 200, 200, 200, 200, 401, 401)],
  getLicense: [(world) => ({ path: `/v1/licenses/${world.licenseId}` }), ownerView],
  suspendLicense: [(world) => ({ path: `/v1/licenses/${world.licenseId}/suspend` }), licenseAdmin],
  reinstateLicense: [(world) => ({ path: `/v1/licenses/${world.licenseId}/reinstate` }), licenseAdmin],
  revokeLicense: [(world) => ({ path: `/v1/licenses/${world.licenseId}/revoke` }), licenseAdmin],
  listLicenseEvents: [(world) => ({ path: `/v1/licenses/${world.licenseId}/events` }), ownerView],
  listLicenseInstallations: [(world) => ({ path: `/v1/licenses/${world.licenseId}/installations` }), ownerView],
  startTrial: [() => ({ path: '/v1/trials', body: { productId: 'authserver', ...machine() } }), installationOnly(200, 200)],
  activate: [(world) => ({ path: '/v1/activations', body: { key: world.key, productId: 'authserver', ...machine() } }), installationOnly(200, 201)],
  heartbeat: [(world) => ({ path: `/v1/installations/${world.installation.id}/heartbeat`, body: { version: '5.0.0', usage: { activeUsers: 1 } } }), installationOnly(200, 401)],
  releaseActivation: [(world) => ({ path: `/v1/installations/${world.installation.id}/activations/${world.licenseId}` }), expect8(401, 204, 404, 204, 404, 204, 204, 401)],
  getInstallation: [(world) => ({ path: `/v1/installations/${world.installation.id}` }), expect8(401, 200, 404, 200, 404, 200, 200, 401)],
  // Section 10: an owner rebuilds a server from nothing; a detected clone is cleared by ops or the reseller that issued L1, never its customer.
  restoreInstallation: [(world) => ({ path: `/v1/installations/${world.installation.id}/restore` }), expect8(401, 200, 404, 200, 404, 200, 401, 401)],
  clearClone: [(world) => ({ path: `/v1/installations/${world.installation.id}/clear-clone` }), licenseAdmin],
  getLicenseUsage: [(world) => ({ path: `/v1/licenses/${world.licenseId}/usage` }), ownerView],
  getInstallationUsage: [(world) => ({ path: `/v1/installations/${world.installation.id}/usage?from=2026-01-01&to=2026-01-31` }), expect8(401, 200, 404, 200, 404, 200, 200, 401)],
  // Narrowed to C1: the callers who may not see it get 404; unnarrowed, every account sees its own scope.
  getInsights: [(world) => ({ path: `/v1/insights?customerId=${world.customer}` }), ownerView],
  setBudget: [(world) => ({ path: `/v1/admin/resellers/${world.reseller}/budgets/authserver/users`, body: { limit: 1000 } }), opsOnly(200)],
  listBudgets: [(world) => ({ path: `/v1/resellers/${world.reseller}/budgets` }), expect8(401, 403, 403, 200, 404, 200, 401, 401)],
  createWebhookEndpoint: [() => ({ path: '/v1/webhook-endpoints', body: { url: 'http://127.0.0.1:9/in' } }), webhookAccounts(201)],
  listWebhookEndpoints: [() => ({ path: '/v1/webhook-endpoints' }), webhookAccounts(200)],
  getWebhookEndpoint: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}` }), webhookOwner(200)],
  updateWebhookEndpoint: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}`, body: { description: 'Billing' } }), webhookOwner(200)],
  deleteWebhookEndpoint: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}` }), webhookOwner(204)],
  rotateWebhookSecret: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}/rotate-secret` }), webhookOwner(200)],
  testWebhookEndpoint: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}/test` }), webhookOwner(202)],
  listWebhookDeliveries: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}/deliveries` }), webhookOwner(200)],
  retryWebhookDelivery: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}/deliveries/${world.deliveryId}/retry` }), webhookOwner(202)],
  recoverWebhookDeliveries: [(world) => ({ path: `/v1/webhook-endpoints/${world.endpointId}/recover`, body: { since: new Date(Date.now() - 60_000).toISOString() } }), webhookOwner(202)],
  offlineActivate: [
    async (world) => {
      const requester = await newInstallation();
      const file = await requester.sign('activation-request+jwt', { key: world.key, productId: 'authserver', ...machine(), iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
      return { path: '/v1/offline-activations', body: { request: file } };
    },
    everyone(201),
  ],
};

/** An ops twin under /v1/admin/ (IAM on AWS, the ops key locally) answers ops as its route does, and nobody else. */
const matrix = Object.fromEntries(
  routes.map((route): [RouteId, Row] => {
    if (!route.twinOf) return [route.id, declaredMatrix[route.id as DeclaredRouteId]];
    const [twinned, expected] = declaredMatrix[route.twinOf];
    const onAdminPath = async (world: World, principal: Principal) => {
      const { path, body } = await twinned(world, principal);
      return { path: `/v1/admin${path.slice('/v1'.length)}`, body };
    };
    return [route.id, [onAdminPath, opsOnly(expected.ops)]];
  }),
) as Record<RouteId, Row>;

describe('authorization matrix', () => {
  it('has a row for every route of the contract, and no other', () => {
    expect(Object.keys(matrix).sort()).toEqual(routes.map((route) => route.id).sort());
  });

  describe.each(routes.map((route) => [route.id, route] as const))('%s', (id, route) => {
    // A refused request changes nothing, so the refused cells of a route share one world (were one
    // wrongly let through, its own status fails it); each cell that succeeds gets a world of its own.
    let refusedWorld: Promise<World> | undefined;
    it.concurrent.each(principals.map((principal) => [principal] as const))('as %s', async (principal) => {
      const row = matrix[id];
      const world = await (row[1][principal] >= 400 ? (refusedWorld ??= newWorld()) : newWorld());
      const { path, body } = await row[0](world, principal);
      const answer = await request(baseUrl, route.method, path, { credential: world.credentials[principal], body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(row[1][principal]);
      if (answer.status >= 400) expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.headers.get('x-request-id')).toBeTruthy();
    });
  });
});

/** What `decide` answers where the HTTP answer is a refusal of its own, or anything past it (allow). */
const outcomeOf = (status: number): Decision['outcome'] =>
  status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : 'allow';

/** Cells whose refusal the route's domain answers, once access allowed the caller. */
const refusedByDomain: Partial<Record<RouteId, readonly Principal[]>> = {
  // A device code polled with another installation's key names nothing that installation may collect.
  deviceToken: ['otherInstallation'],
};

/** The API Gateway event of a matrix cell, as the local service builds it (the authorizer's context included). */
async function eventOf(route: RouteDefinition, path: string, body: unknown, credential: Credential) {
  if (credential && 'installation' in credential) return eventFor(route.id as RouteId, { path, body, installation: credential.installation });
  const headers: Record<string, string> = {
    ...(credential ? { Authorization: `Bearer ${credential.apiKey}` } : {}),
    ...(credential?.accountId ? { 'Account-Id': credential.accountId } : {}),
  };
  const viaGateway = route.authentication === 'iam' || route.authentication === 'api-key';
  const as = credential && viaGateway ? await authenticateBearer(credential.apiKey, { table: table(), opsApiKey }) : undefined;
  return eventFor(route.id as RouteId, { path, body, headers, ...(as ? { as } : {}) });
}

describe('authorization matrix, through decide', () => {
  // Deciding changes nothing: one world serves every cell.
  let world: Promise<World> | undefined;
  const verifiers = { installations: dpopProofs, accounts: storedApiKeys, memberships: storedMemberships };

  describe.each(routes.map((route) => [route.id, route] as const))('%s', (id, route) => {
    it.concurrent.each(principals.map((principal) => [principal] as const))('as %s', async (principal) => {
      const cell = await (world ??= newWorld());
      const [requestFor, expected] = matrix[id];
      const { path, body } = await requestFor(cell, principal);
      const event = await eventOf(route, path, body, cell.credentials[principal]);
      const status = expected[principal];
      let caller;
      try {
        caller = await resolveCaller(event, route, new Date(), verifiers);
      } catch (error) {
        // Refused by authentication itself (no proof, a proof for another installation, an Account-Id
        // the person holds no membership of), before anything is decided.
        expect(error).toBeInstanceOf(ProblemError);
        expect((error as ProblemError).status).toBe(status);
        return;
      }
      const request = requestOf(id);
      const parts = {
        params: request.params ? validate(request.params, event.pathParameters ?? {}, 'path') : undefined,
        query: request.query ? validate(request.query, event.queryStringParameters ?? {}, 'query') : undefined,
        body: request.body ? validate(request.body, body, 'body') : undefined,
      };
      const named = resourceNamed(route, parts);
      const resource: Resource = named ? await loadResource(table(), caller, named) : { kind: 'none' };
      const decided = decide(caller, id, resource).outcome;
      expect(decided).toBe(refusedByDomain[id]?.includes(principal) ? 'allow' : outcomeOf(status));
    });
  });
});
