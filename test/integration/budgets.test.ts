import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../support/ledger.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { listEvents } from '#lib/data/events.js';
import { keys } from '#lib/data/keys.js';
import { returnExpiredBudgets } from '#lib/licenses/budgets.js';
import { table } from '#lib/platform/dynamodb.js';
import type { Budget } from '@license-activation/contract/schemas';
import { call } from '../support/api.js';
import { createCustomerOf, createReseller } from '../support/scenario.js';
import type { TestAccount } from '../support/scenario.js';

const setBudget = (reseller: TestAccount, limit: unknown, productId = 'authserver', type = 'users') =>
  call<{ budget: Budget }>('setBudget', { as: opsPrincipal, params: { resellerId: reseller.account.id, productId, type }, body: { limit } });

const issue = (reseller: TestAccount, customerId: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  call<{ license: { id: string } }>('issueLicense', { as: reseller.principal, body: { customerId, productId: 'authserver', type: 'users', quantity: 1, ...extra }, headers });

async function budgetOf(reseller: TestAccount): Promise<Budget | undefined> {
  const answer = await call<{ items: Budget[] }>('listBudgets', { as: reseller.principal, params: { resellerId: reseller.account.id } });
  expect(answer.status).toBe(200);
  return answer.body.items.find((budget) => budget.productId === 'authserver' && budget.type === 'users');
}

describe('reseller budgets (API.md §8)', () => {
  it('counts what was issued before the limit was set, and records budget.set', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    expect((await issue(reseller, customer.account.id, { quantity: 4 })).status).toBe(201);
    expect(await budgetOf(reseller)).toBeUndefined();
    const set = await setBudget(reseller, 10);
    expect(set.status).toBe(200);
    expect(set.body.budget).toEqual({ resellerId: reseller.account.id, productId: 'authserver', type: 'users', limit: 10, used: 4 });
    const events = await listEvents(table(), keys.eventFeed.account(reseller.account.id), { limit: 5 });
    expect(events.items[0]).toMatchObject({ type: 'budget.set', actor: { kind: 'ops' }, data: { limit: 10, productId: 'authserver', type: 'users' } });
    expect((await issue(reseller, customer.account.id, { quantity: 7 })).body).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    // Lowering below `used` revokes nothing and blocks new issues.
    expect((await setBudget(reseller, 2)).body.budget).toMatchObject({ limit: 2, used: 4 });
    expect((await issue(reseller, customer.account.id)).status).toBe(409);
  });

  it('never passes the limit under 20 concurrent issues: exactly 5 of a limit of 5', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    await setBudget(reseller, 5);
    const answers = await Promise.all(Array.from({ length: 20 }, () => issue(reseller, customer.account.id)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => (answer.body as unknown as { code: string }).code === 'BUDGET_EXCEEDED')).toBe(true);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(15);
    expect(await budgetOf(reseller)).toMatchObject({ limit: 5, used: 5 });
    expect(await checkLedger(table())).toEqual([]);
  });

  it('does not count an idempotent replay twice', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    await setBudget(reseller, 5);
    const headers = { 'Idempotency-Key': randomUUID() };
    const answers = await Promise.all(Array.from({ length: 5 }, () => issue(reseller, customer.account.id, { quantity: 2 }, headers)));
    expect(new Set(answers.map((answer) => answer.body.license.id)).size).toBe(1);
    expect(await budgetOf(reseller)).toMatchObject({ used: 2 });
  });

  it('gives the quantity back on revoke at once, and on expiry through the scheduled job, once', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    await setBudget(reseller, 10);
    const kept = await issue(reseller, customer.account.id, { quantity: 3 });
    const revoked = await issue(reseller, customer.account.id, { quantity: 4 });
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const expiring = await issue(reseller, customer.account.id, { quantity: 2, expiresAt });
    expect(kept.status).toBe(201);
    expect(await budgetOf(reseller)).toMatchObject({ used: 9 });

    expect((await call('revokeLicense', { as: reseller.principal, params: { licenseId: revoked.body.license.id } })).status).toBe(200);
    expect(await budgetOf(reseller)).toMatchObject({ used: 5 });
    // Repeating the revoke gives nothing more back.
    expect((await call('revokeLicense', { as: opsPrincipal, params: { licenseId: revoked.body.license.id } })).status).toBe(200);
    expect(await budgetOf(reseller)).toMatchObject({ used: 5 });

    // The job before the expiry gives nothing; after it, the expired quantity, once however often it runs.
    expect(await returnExpiredBudgets({ table: table() }, new Date())).toEqual({ returned: 0 });
    const later = new Date(Date.parse(expiresAt) + 1000);
    expect(await returnExpiredBudgets({ table: table() }, later)).toEqual({ returned: 1 });
    expect(await returnExpiredBudgets({ table: table() }, later)).toEqual({ returned: 0 });
    expect(await budgetOf(reseller)).toMatchObject({ used: 3 });
    // Revoking the expired license afterwards does not give it back twice.
    await call('revokeLicense', { as: opsPrincipal, params: { licenseId: expiring.body.license.id } });
    expect(await budgetOf(reseller)).toMatchObject({ used: 3 });
    expect(await checkLedger(table())).toEqual([]);
  });

  it('gives back an expired license behind a full page of holds that cannot be given back this run', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    await setBudget(reseller, 1000);
    const expiresAt = Date.now() + 60 * 60 * 1000;
    const stuck = [];
    for (let batch = 0; batch < 10; batch += 1) {
      stuck.push(...(await Promise.all(Array.from({ length: 10 }, () => issue(reseller, customer.account.id, { expiresAt: new Date(expiresAt).toISOString() })))));
    }
    const behind = await issue(reseller, customer.account.id, { quantity: 5, expiresAt: new Date(expiresAt + 60_000).toISOString() });
    expect(await budgetOf(reseller)).toMatchObject({ used: 105 });
    // The first 100 in expiry order are busy (another transaction on each, every time): they head the job's first page.
    const busy = new Set(stuck.map((answer) => keys.license(answer.body.license.id).pk));
    const failBusyHolds: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
      const first = (args.input as { TransactItems?: { Update?: { Key?: { pk?: string } } }[] }).TransactItems?.[0]?.Update?.Key?.pk;
      if (context.commandName === 'TransactWriteItemsCommand' && first !== undefined && busy.has(first)) {
        throw new TransactionCanceledException({ message: 'Transaction cancelled [TransactionConflict]', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
      }
      return next(args);
    };
    table().client.middlewareStack.add(failBusyHolds, { step: 'initialize', name: 'failBusyHolds' });
    try {
      expect(await returnExpiredBudgets({ table: table() }, new Date(expiresAt + 2 * 60 * 60 * 1000))).toEqual({ returned: 1 });
    } finally {
      table().client.middlewareStack.remove('failBusyHolds');
    }
    expect(await budgetOf(reseller)).toMatchObject({ used: 100 });
    expect((await call<{ license: { id: string } }>('getLicense', { as: reseller.principal, params: { licenseId: behind.body.license.id } })).status).toBe(200);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('lists budgets page by page, past the counts that have no limit, to a last page without a cursor', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    // Counts without a limit sort between the budgets and after the last one: no budget, so never listed.
    for (const [productId, type] of [['modeler', 'server'], ['vault', 'site'], ['vault', 'users']]) {
      expect((await issue(reseller, customer.account.id, { productId, type })).status).toBe(201);
    }
    const budgets = [['authserver', 'users'], ['vault', 'edition'], ['vault', 'support']];
    for (const [productId, type] of budgets) expect((await setBudget(reseller, 10, productId, type)).status).toBe(200);
    for (const as of [opsPrincipal, reseller.principal]) {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const answer = await call<{ items: Budget[]; nextCursor?: string }>('listBudgets', {
          as,
          params: { resellerId: reseller.account.id },
          query: cursor ? { limit: '1', cursor } : { limit: '1' },
        });
        expect(answer.status).toBe(200);
        pages.push(answer.body.items.map((budget) => `${budget.productId}/${budget.type}`));
        cursor = answer.body.nextCursor;
      } while (cursor);
      expect(pages).toEqual(budgets.map((budget) => [budget.join('/')]));
    }
    const everything = await call<{ items: Budget[]; nextCursor?: string }>('listBudgets', { as: opsPrincipal, params: { resellerId: reseller.account.id } });
    expect(everything.body.items).toHaveLength(3);
    expect(everything.body.nextCursor).toBeUndefined();
  });

  it.each([
    ['a limit of 0', { limit: '0' }],
    ['a limit of 101', { limit: '101' }],
    ['a limit that is not a number', { limit: 'abc' }],
    ['a cursor the server did not issue', { cursor: 'garbage' }],
    ['a cursor of another list', { cursor: Buffer.from(JSON.stringify({ pk: 'ACCOUNT#someone-else', sk: 'CUSTOMER#x' })).toString('base64url') }],
    ['an unknown parameter', { sort: 'type' }],
  ])('refuses to list budgets with %s: VALIDATION_FAILED', async (_, query) => {
    const reseller = await createReseller();
    await setBudget(reseller, 10);
    const answer = await call('listBudgets', { as: opsPrincipal, params: { resellerId: reseller.account.id }, query });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses a cursor of another reseller\'s budgets', async () => {
    const [first, second] = await Promise.all([createReseller(), createReseller()]);
    for (const reseller of [first, second]) {
      await setBudget(reseller, 10);
      await setBudget(reseller, 10, 'modeler', 'server');
    }
    const page = await call<{ items: Budget[]; nextCursor?: string }>('listBudgets', { as: opsPrincipal, params: { resellerId: first.account.id }, query: { limit: '1' } });
    expect(page.body.nextCursor).toBeDefined();
    const answer = await call('listBudgets', { as: opsPrincipal, params: { resellerId: second.account.id }, query: { limit: '1', cursor: page.body.nextCursor ?? '' } });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'cursor' })] } });
  });

  it('refuses a limit that is not a positive integer, an unknown product or type, and an unknown reseller', async () => {
    const reseller = await createReseller();
    for (const limit of [0, -1, 1.5, '5']) {
      const answer = await setBudget(reseller, limit);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'limit' })] });
    }
    expect((await setBudget(reseller, 5, 'nope')).body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'productId' })] });
    expect((await setBudget(reseller, 5, 'authserver', 'edition')).body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'type' })] });
    const customer = await createCustomerOf(reseller);
    expect((await call('setBudget', { as: opsPrincipal, params: { resellerId: customer.account.id, productId: 'authserver', type: 'users' }, body: { limit: 5 } })).status).toBe(404);
  });
});
