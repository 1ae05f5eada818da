import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { checkLedger } from '../support/ledger.js';
import { machine } from '../support/scenario.js';
import { apartFromSpentProofs, takeSnapshot, changesBetween, changeShape } from '../support/table-snapshot.js';

// The authorization matrix (test/integration/authorization-matrix.test.ts) tries every caller on
// resources of one world. Here each caller that may use a route gets a stranger's resource in each
// position the route takes an id: the answer is 404 (never 403, never another's data), and nothing
// changes. Two worlds: reseller R1 manages C1, whose license L1 is activated on installation I1;
// R2, C2, L2 and I2 likewise.

interface World {
  readonly reseller: { id: string; apiKey: string };
  readonly customer: { id: string; apiKey: string };
  readonly licenseId: string;
  readonly key: string;
  readonly installation: TestInstallation;
}

let baseUrl: string;
let close: () => Promise<void>;
let mine: World;
let theirs: World;
const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };

async function created<T>(path: string, credential: Credential, body: unknown): Promise<T> {
  const answer = await request<T>(baseUrl, 'POST', path, { credential, body });
  expect(answer.status, path).toBeLessThan(300);
  return answer.body;
}

async function newWorld(): Promise<World> {
  type Made = { account: { id: string }; apiKey: string };
  const reseller = await created<Made>('/v1/admin/resellers', ops, { name: 'R', email: 'r@example.com' });
  const customer = await created<Made>('/v1/customers', { apiKey: reseller.apiKey }, { name: 'C', email: 'c@example.com' });
  const issued = await created<{ license: { id: string }; key: string }>('/v1/licenses', { apiKey: reseller.apiKey }, { customerId: customer.account.id, productId: 'authserver', type: 'users', maxActivations: 5 });
  const installation = await newInstallation();
  await created('/v1/activations', { installation }, { key: issued.key, productId: 'authserver', ...machine() });
  return {
    reseller: { id: reseller.account.id, apiKey: reseller.apiKey },
    customer: { id: customer.account.id, apiKey: customer.apiKey },
    licenseId: issued.license.id,
    key: issued.key,
    installation,
  };
}

beforeAll(async () => {
  ({ baseUrl, close } = await startLocalService());
  [mine, theirs] = await Promise.all([newWorld(), newWorld()]);
});
afterAll(() => close());

type Caller = 'customer' | 'reseller' | 'installation';
const credentialOf = (caller: Caller): Credential => (caller === 'installation' ? { installation: mine.installation } : { apiKey: mine[caller].apiKey });

/** A request in which one id is a stranger's; `as` may otherwise use the route with ids of its own. */
type Case = [what: string, as: Caller, expected: string, method: string, path: () => string, body?: () => unknown];

const facts = machine();
const cases: Case[] = [
  ["a stranger's license", 'customer', '404 NOT_FOUND', 'GET', () => `/v1/licenses/${theirs.licenseId}`],
  ["a stranger's license", 'reseller', '404 NOT_FOUND', 'GET', () => `/v1/licenses/${theirs.licenseId}`],
  ["the events of a stranger's license", 'customer', '404 NOT_FOUND', 'GET', () => `/v1/licenses/${theirs.licenseId}/events`],
  ["a stranger's customer events", 'customer', '404 NOT_FOUND', 'GET', () => `/v1/customers/${theirs.customer.id}/events`],
  ["a stranger's customer events", 'reseller', '404 NOT_FOUND', 'GET', () => `/v1/customers/${theirs.customer.id}/events`],
  ["a stranger's licenses by customerId", 'customer', '404 NOT_FOUND', 'GET', () => `/v1/licenses?customerId=${theirs.customer.id}`],
  ["a stranger's licenses by customerId", 'reseller', '404 NOT_FOUND', 'GET', () => `/v1/licenses?customerId=${theirs.customer.id}`],
  ...(['suspend', 'reinstate', 'revoke'] as const).map((action): Case => [`${action} of a stranger's license`, 'reseller', '404 NOT_FOUND', 'POST', () => `/v1/licenses/${theirs.licenseId}/${action}`]),
  ["a new license for a stranger's customer", 'reseller', '404 NOT_FOUND', 'POST', () => '/v1/licenses', () => ({ customerId: theirs.customer.id, productId: 'authserver', type: 'users' })],
  ["a stranger's installation", 'customer', '404 NOT_FOUND', 'GET', () => `/v1/installations/${theirs.installation.id}`],
  ["a stranger's installation", 'reseller', '404 NOT_FOUND', 'GET', () => `/v1/installations/${theirs.installation.id}`],
  ["a release on a stranger's installation", 'customer', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${theirs.installation.id}/activations/${theirs.licenseId}`],
  ["a release on a stranger's installation", 'reseller', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${theirs.installation.id}/activations/${theirs.licenseId}`],
  ["a release of a stranger's license", 'customer', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${mine.installation.id}/activations/${theirs.licenseId}`],
  ["a release of a stranger's license", 'installation', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${mine.installation.id}/activations/${theirs.licenseId}`],
  // An id of any form names nothing the caller may see: not even Object.prototype's keys.
  ['a release of the license `constructor`', 'customer', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${mine.installation.id}/activations/constructor`],
  ['a release of the license `__proto__`', 'installation', '404 NOT_FOUND', 'DELETE', () => `/v1/installations/${mine.installation.id}/activations/__proto__`],
  ["a heartbeat on a stranger's path, with its own proof", 'installation', '401 INVALID_PROOF', 'POST', () => `/v1/installations/${theirs.installation.id}/heartbeat`, () => ({ version: '5.0.0', usage: { activeUsers: 1 } })],
  ["a restore on a stranger's path, with its own proof", 'installation', '401 INVALID_PROOF', 'GET', () => `/v1/installations/${theirs.installation.id}`],
];

/** Activation on a customer's behalf takes an account's key and an installation's proof together. */
const onBehalf: readonly (readonly [what: string, as: 'customer' | 'reseller', expected: string, body: () => unknown])[] = [
  ["a stranger's license", 'customer', '404 LICENSE_NOT_FOUND', () => ({ licenseId: theirs.licenseId, productId: 'authserver', ...facts })],
  ["a stranger's license", 'reseller', '404 LICENSE_NOT_FOUND', () => ({ licenseId: theirs.licenseId, productId: 'authserver', ...facts })],
  ["its own license named with a stranger's customer", 'reseller', '404 LICENSE_NOT_FOUND', () => ({ licenseId: mine.licenseId, customerId: theirs.customer.id, productId: 'authserver', ...facts })],
  ["a stranger's license named with its own customer", 'reseller', '404 LICENSE_NOT_FOUND', () => ({ licenseId: theirs.licenseId, customerId: mine.customer.id, productId: 'authserver', ...facts })],
];

async function expectNothingChanges(send: () => Promise<{ status: number; body: { code?: string } }>, expected: string): Promise<void> {
  const before = await takeSnapshot(table());
  const answer = await send();
  expect(`${answer.status} ${answer.body.code}`, JSON.stringify(answer.body)).toBe(expected);
  // A refused request leaves no trace but its spent proof (API.md §2: a refused request bore one all the same).
  expect(changeShape(apartFromSpentProofs(changesBetween(before, await takeSnapshot(table()))))).toEqual([]);
}

describe("someone else's resource in every position", () => {
  it.each(cases)('%s, asked for by the %s: %s', async (_, as, expected, method, path, body) => {
    await expectNothingChanges(() => request(baseUrl, method, path(), { credential: credentialOf(as), body: body?.() }), expected);
  });

  it.each(onBehalf)("refuses to activate %s on the %s's behalf: %s", async (_, as, expected, body) => {
    const installation = await newInstallation();
    await expectNothingChanges(
      () => request(baseUrl, 'POST', '/v1/activations', { credential: { installation }, headers: { authorization: `Bearer ${mine[as].apiKey}` }, body: body() }),
      expected,
    );
  });

  it("refuses to activate a stranger's key on an installation that belongs to another customer", async () => {
    await expectNothingChanges(
      () => request(baseUrl, 'POST', '/v1/activations', { credential: { installation: mine.installation }, body: { key: theirs.key, productId: 'authserver', ...facts } }),
      '409 CONFLICT',
    );
  });

  it('leaves the ledger whole', async () => {
    expect(await checkLedger(table())).toEqual([]);
  });
});
