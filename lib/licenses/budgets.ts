import type { Table } from '../platform/dynamodb.js';
import type { Catalog } from '@license-activation/contract/catalog-schema';
import { LicenseType } from '@license-activation/contract/license-type';
import { productById } from '@license-activation/contract/product-queries';
import { problem } from '@license-activation/contract/problem';
import type { FieldError } from '@license-activation/contract/problem';
import type { ListQuery } from '@license-activation/contract/list-requests';
import type { Budget } from '@license-activation/contract/schemas';
import type { Actor } from '../auth/principal.js';
import { getAccount } from '../data/accounts.js';
import { budgetReturn, getBudget, listBudgets, setBudgetLimit } from '../data/budgets.js';
import type { BudgetKey, BudgetRecord } from '../data/budgets.js';
import { retry, retryOnContention } from '../data/contention.js';
import { expiredHoldEnd, licensesHoldingExpiredBudget } from '../data/licenses.js';
import type { Page } from '../data/pagination.js';
import { transactWrite } from '../data/transactions.js';
import { newId } from '../ids.js';

/** Reseller budgets (API.md §8): ops cap what a reseller may issue, per product and license type. */

const toBudget = (record: BudgetRecord): Budget => ({
  resellerId: record.resellerId,
  productId: record.productId,
  type: record.type as Budget['type'],
  limit: record.limit ?? 0,
  used: record.used,
});

/** 404 unless `resellerId` names a reseller account. */
async function requireReseller(table: Table, resellerId: string): Promise<void> {
  const account = await getAccount(table, resellerId);
  if (account?.kind !== 'reseller') throw problem('NOT_FOUND', `no reseller ${resellerId}`);
}

/** The product and type a budget names, or 400 naming the field the catalog refuses. */
function budgetKeyFor(catalog: Catalog, path: BudgetKey): BudgetKey {
  const errors: FieldError[] = [];
  const product = productById(catalog, path.productId);
  const type = LicenseType.safeParse(path.type);
  if (!product) errors.push({ path: 'productId', message: `unknown product; one of ${Object.keys(catalog).join(', ')}` });
  else if (!type.success || !product.licenseTypes.includes(type.data)) errors.push({ path: 'type', message: `${product.id} is licensed by ${product.licenseTypes.join(', ')}` });
  if (errors.length > 0) throw problem('VALIDATION_FAILED', 'the budget does not fit the catalog', { errors });
  return path;
}

/** `PUT /v1/admin/resellers/{resellerId}/budgets/{productId}/{type}` (ops), with its `budget.set` event. */
export async function setBudget(
  deps: { table: Table; catalog: Catalog },
  request: { path: BudgetKey; limit: number; actor: Actor; now: Date },
): Promise<Budget> {
  const key = budgetKeyFor(deps.catalog, request.path);
  await requireReseller(deps.table, key.resellerId);
  return retryOnContention(async () => {
    const outcome = await setBudgetLimit(deps.table, key, request.limit, {
      id: newId('evt', request.now),
      type: 'budget.set',
      createdAt: request.now.toISOString(),
      actor: request.actor,
      data: { resellerId: key.resellerId, productId: key.productId, type: key.type, limit: request.limit },
    });
    if (outcome === 'contention') return retry;
    const budget = await getBudget(deps.table, key);
    if (!budget) throw new Error('the budget just set is missing');
    return toBudget(budget);
  });
}

/** `GET /v1/resellers/{resellerId}/budgets`: that reseller's own, or any for ops (the route's access decided which). */
export async function budgetsOf(deps: { table: Table }, resellerId: string, query: ListQuery): Promise<Page<Budget>> {
  const page = await listBudgets(deps.table, resellerId, query);
  return { ...page, items: page.items.map(toBudget) };
}

/**
 * The scheduled job: gives budgets back the quantity of licenses that expired (API.md §8: within 24
 * hours; it runs hourly on AWS and under `npm start`). Each license's hold ends once, in the same
 * transaction as its budget's count, so reruns and overlapping runs never give back twice. It reads
 * every page of expired holds, past those it could not end (busy, or given back meanwhile: the next
 * run looks at them again), so that none of them keeps the later ones waiting.
 */
export async function returnExpiredBudgets(deps: { table: Table }, now: Date, batch = 100): Promise<{ returned: number }> {
  let returned = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await licensesHoldingExpiredBudget(deps.table, now, { limit: batch, startKey });
    for (const license of page.licenses) {
      const outcome = await transactWrite(deps.table, [
        expiredHoldEnd(deps.table, license.id, now),
        budgetReturn(deps.table, { resellerId: license.issuedBy, productId: license.productId, type: license.type }, license.quantity),
      ]);
      if (outcome.ok) returned += 1;
    }
    startKey = page.nextKey;
  } while (startKey);
  return { returned };
}
