import { expect } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import type { Account, IssueLicenseInput, License } from '@license-activation/contract/schemas';
import { hashApiKey } from '#lib/auth/api-keys.js';
import { findApiKeyByHash } from '#lib/data/api-keys.js';
import { table } from '#lib/platform/dynamodb.js';
import { call } from './api.js';

/** An account made through the API, with the principal API Gateway would pass for its key. */
export interface TestAccount {
  readonly account: Account;
  readonly apiKey: string;
  readonly principal: AccountPrincipal;
}

let counter = 0;
const unique = (prefix: string) => `${prefix} ${(counter += 1)}`;

async function accountOf(body: { account: Account; apiKey: string }): Promise<TestAccount> {
  const { account, apiKey } = body;
  const key = await findApiKeyByHash(table(), hashApiKey(apiKey));
  if (!key || (account.kind !== 'customer' && account.kind !== 'reseller')) throw new TypeError(`no API key stored for ${account.id}`);
  // As the authorizer names it: its kind, id and name, and the key that authenticated it.
  return { account, apiKey, principal: { kind: account.kind, id: account.id, name: account.name, apiKeyId: key.id } };
}

export async function registerCustomer(name = unique('Customer')): Promise<TestAccount> {
  const answer = await call<{ account: Account; apiKey: string }>('registerAccount', { body: { name, email: `it-${(counter += 1)}@customer.example` } });
  expect(answer.status).toBe(201);
  return accountOf(answer.body);
}

export async function createReseller(name = unique('Reseller')): Promise<TestAccount> {
  const answer = await call<{ account: Account; apiKey: string }>('createReseller', { as: opsPrincipal, body: { name, email: `sales-${(counter += 1)}@reseller.example` } });
  expect(answer.status).toBe(201);
  return accountOf(answer.body);
}

export async function createCustomerOf(reseller: TestAccount, name = unique('Managed customer')): Promise<TestAccount> {
  const answer = await call<{ account: Account; apiKey: string }>('createCustomer', { as: reseller.principal, body: { name, email: `it-${(counter += 1)}@managed.example` } });
  expect(answer.status).toBe(201);
  return accountOf(answer.body);
}

export async function issueLicense(
  issuer: AccountPrincipal,
  input: Omit<IssueLicenseInput, 'productId' | 'type'> & Partial<Pick<IssueLicenseInput, 'productId' | 'type'>>,
): Promise<{ license: License; key: string }> {
  const answer = await call<{ license: License; key: string }>('issueLicense', {
    as: issuer,
    body: { productId: 'authserver', type: 'users', ...input },
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

/** The machine facts an installation reports with a trial or an activation. */
export const machine = (overrides: Partial<{ fingerprint: string; hostname: string; version: string; virtual: boolean }> = {}) => ({
  fingerprint: `machine-${(counter += 1)}-${Math.random()}`,
  hostname: 'srv-01.example',
  version: '5.0.0',
  virtual: false,
  ...overrides,
});
