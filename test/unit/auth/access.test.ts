import { describe, expect, it } from 'vitest';
import { routes } from '@license-activation/contract/routes';
import type { Account } from '@license-activation/contract/schemas';
import { accessOf, decide, feedAccess, resourceNamed } from '#lib/auth/access.js';
import type { Resource } from '#lib/auth/access.js';
import type { Caller } from '#lib/auth/principal.js';
import type { InstallationRecord } from '#lib/data/installations.js';
import type { LicenseRecord } from '#lib/data/licenses.js';
import type { WebhookEndpointRecord } from '#lib/data/webhook-endpoints.js';

// The rules on facts built by hand; every route × principal on real facts is the authorization
// matrix's (test/integration/authorization-matrix.test.ts), through decide and through HTTP.

const reseller: Caller = { account: { kind: 'reseller', id: 'acc_r1' } };
const otherReseller: Caller = { account: { kind: 'reseller', id: 'acc_r2' } };
const customer: Caller = { account: { kind: 'customer', id: 'acc_c1' } };
const ops: Caller = { account: { kind: 'ops', id: 'ops' } };
const person: Caller = { person: { kind: 'person', id: 'sub-1', email: 'p@example.com', emailVerified: true } };

const license = { id: 'lic_1', customerId: 'acc_c1', issuedBy: 'acc_r1' } as LicenseRecord;
const account: Account = { id: 'acc_c1', kind: 'customer', name: 'C1', email: 'c1@example.com', createdAt: '2026-01-01T00:00:00.000Z' };
const licenseFacts = (managed: boolean): Resource => ({ kind: 'license', id: license.id, license, managed });
const installation = { id: 'inst_1', customerId: 'acc_c1' } as InstallationRecord;
const installationFacts = (managed?: boolean): Resource => ({ kind: 'installation', id: installation.id, installation, ...(managed === undefined ? {} : { managed }) });
/** An installation with the issuers of the licenses it holds, as `loadResource` reads them for a reseller that manages its customer. */
const issuersFacts = (managed?: boolean, issuers?: string[]): Resource => ({
  kind: 'installationIssuers',
  id: installation.id,
  installation,
  ...(managed === undefined ? {} : { managed }),
  ...(issuers ? { issuers } : {}),
});
const proof = { kind: 'installation', id: installation.id, jwk: {}, jti: 'j', iat: 0 } as const;

describe('decide', () => {
  it('declares the access of every route of the contract', () => {
    for (const route of routes) expect(accessOf(route), route.id).toBeDefined();
  });

  it.each([
    ['the issuing reseller suspends', reseller, licenseFacts(true), 'allow'],
    ['another reseller of the same customer suspends', otherReseller, licenseFacts(true), 'forbidden'],
    ['a reseller that does not manage the customer suspends', otherReseller, licenseFacts(false), 'not-found'],
    ['ops suspend', ops, licenseFacts(false), 'allow'],
    ['ops suspend a license that does not exist', ops, { kind: 'license', id: 'lic_x' }, 'not-found'],
  ] as const)('decides when %s', (_, caller, resource, outcome) => {
    expect(decide(caller, 'suspendLicense', resource).outcome).toBe(outcome);
  });

  it.each([
    ['an owner', 'owner', 'allow'],
    ['a plain member', 'member', 'forbidden'],
    ['a stranger', undefined, 'not-found'],
  ] as const)("lets %s manage an account's members (%s)", (_, role, outcome) => {
    expect(decide(person, 'listMembers', { kind: 'account', id: account.id, account, ...(role ? { role } : {}) }).outcome).toBe(outcome);
  });

  it.each([
    ['its customer', customer, installationFacts(), 'allow'],
    ['a reseller managing its customer', reseller, installationFacts(true), 'allow'],
    ['a reseller that does not', otherReseller, installationFacts(false), 'not-found'],
    ['ops', ops, installationFacts(), 'allow'],
    ['another customer', { account: { kind: 'customer', id: 'acc_c2' } }, installationFacts(), 'not-found'],
    ['the installation itself, by its proof', { installation: proof }, installationFacts(), 'forbidden'],
    ['ops, of an installation that does not exist', ops, { kind: 'installation', id: 'inst_x' }, 'not-found'],
  ] as const)("lets %s restore an installation from its owner's backup (API.md §10)", (_, caller, resource, outcome) => {
    expect(decide(caller, 'restoreInstallation', resource).outcome).toBe(outcome);
  });

  it.each([
    ['ops', ops, issuersFacts(), 'allow'],
    ['the reseller that issued one of its licenses', reseller, issuersFacts(true, ['acc_r2', 'acc_r1']), 'allow'],
    ['a reseller that manages its customer but issued none of its licenses', reseller, issuersFacts(true, ['acc_r2']), 'forbidden'],
    ['a reseller that does not manage its customer', otherReseller, issuersFacts(false), 'not-found'],
    ['its customer', customer, issuersFacts(), 'forbidden'],
    ['ops, of an installation that does not exist', ops, { kind: 'installationIssuers', id: 'inst_x' }, 'not-found'],
  ] as const)("lets %s clear a detected clone (API.md §10)", (_, caller, resource, outcome) => {
    expect(decide(caller, 'clearClone', resource).outcome).toBe(outcome);
  });

  const endpointOf = (ownerKey: string): Resource => ({ kind: 'webhookEndpoint', id: 'whe_1', endpoint: { id: 'whe_1', ownerKey } as WebhookEndpointRecord });
  const throughCustomer = (role: 'owner' | 'member'): Caller => ({ ...person, account: customer.account, membership: { accountId: 'acc_c1', memberId: 'mem_1', role } });

  it.each([
    ['its customer, by its API key', customer, endpointOf('acc_c1'), 'allow'],
    ["its customer's owner, through an accepted membership", throughCustomer('owner'), endpointOf('acc_c1'), 'allow'],
    ["its customer's plain member", throughCustomer('member'), endpointOf('acc_c1'), 'forbidden'],
    ['a reseller managing its customer', reseller, endpointOf('acc_c1'), 'not-found'],
    ['ops', ops, endpointOf('acc_c1'), 'not-found'],
    ["ops, of the vendor's own", ops, endpointOf('vendor'), 'allow'],
    ['its customer, of one not there', customer, { kind: 'webhookEndpoint', id: 'whe_x' }, 'not-found'],
  ] as const)('lets %s manage a webhook endpoint (API.md §9)', (_, caller, resource, outcome) => {
    expect(decide(caller, 'updateWebhookEndpoint', resource).outcome).toBe(outcome);
  });

  it('lets accounts, ops and owners add webhook endpoints, and refuses a plain member', () => {
    for (const caller of [customer, reseller, ops, throughCustomer('owner')]) expect(decide(caller, 'createWebhookEndpoint', { kind: 'none' }).outcome).toBe('allow');
    expect(decide(throughCustomer('member'), 'createWebhookEndpoint', { kind: 'none' }).outcome).toBe('forbidden');
  });

  it("names the event route, and its resource, whose rules decide who reads a feed's events", () => {
    expect(feedAccess('ACCOUNT#acc_c1')).toEqual({ route: 'listCustomerEvents', ref: { kind: 'customer', id: 'acc_c1' } });
    expect(feedAccess('LICENSE#lic_1')).toEqual({ route: 'listLicenseEvents', ref: { kind: 'license', id: 'lic_1' } });
    expect(feedAccess('INSTALLATION#inst_1')).toBeUndefined();
  });

  it('decides a person through a reseller as that reseller, on clearing a clone', () => {
    const throughReseller: Caller = { ...person, account: reseller.account };
    expect(decide(throughReseller, 'clearClone', issuersFacts(true, ['acc_r1'])).outcome).toBe('allow');
    expect(decide(throughReseller, 'clearClone', issuersFacts(true, ['acc_r2'])).outcome).toBe('forbidden');
  });

  it('refuses a person whose email is not verified where an email binds', () => {
    const unverified: Caller = { person: { kind: 'person', id: 'sub-2', email: 'u@example.com', emailVerified: false } };
    expect(decide(unverified, 'createMyAccount', { kind: 'none' })).toMatchObject({ outcome: 'forbidden', code: 'FORBIDDEN' });
    expect(decide(person, 'createMyAccount', { kind: 'none' }).outcome).toBe('allow');
  });

  it('answers an activation by licenseId in its own terms: no account is 401, an unseen license LICENSE_NOT_FOUND', () => {
    const installation = { kind: 'installation', id: 'i1', jwk: {}, jti: 'j', iat: 0 } as const;
    expect(decide({ installation }, 'activate', licenseFacts(false))).toMatchObject({ outcome: 'unauthenticated' });
    expect(decide({ installation, ...otherReseller }, 'activate', licenseFacts(false))).toMatchObject({ outcome: 'not-found', code: 'LICENSE_NOT_FOUND' });
    expect(decide({ installation }, 'activate', { kind: 'none' }).outcome).toBe('allow');
  });

  it('lets a list name no customer, and decides one it names', () => {
    expect(decide(reseller, 'listLicenses', { kind: 'none' }).outcome).toBe('allow');
    expect(decide(reseller, 'listLicenses', { kind: 'customer', id: 'acc_c2', managed: false }).outcome).toBe('not-found');
    expect(decide(customer, 'listLicenses', { kind: 'customer', id: 'acc_c1' }).outcome).toBe('allow');
  });

  it('refuses the route before the resource: no credential is 401, a principal it does not take 403', () => {
    expect(decide({}, 'getLicense', licenseFacts(true)).outcome).toBe('unauthenticated');
    expect(decide(customer, 'adminGetLicense', licenseFacts(true)).outcome).toBe('forbidden');
    expect(decide(ops, 'adminGetLicense', licenseFacts(false)).outcome).toBe('allow');
  });

  it('throws on facts of the wrong kind, or none where the route always names a resource: a wiring fault', () => {
    expect(() => decide(customer, 'getLicense', { kind: 'none' })).toThrow(TypeError);
    expect(() => decide(customer, 'getLicense', { kind: 'customer', id: 'acc_c1' })).toThrow(TypeError);
  });

  it('finds the resource a request names by its route, an ops twin by the route it mirrors', () => {
    const parts = { params: { licenseId: 'lic_1' }, query: undefined, body: undefined };
    const twin = routes.find((route) => route.id === 'adminGetLicense');
    expect(twin && resourceNamed(twin, parts)).toEqual({ kind: 'license', id: 'lic_1' });
  });
});
