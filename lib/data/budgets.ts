import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { eventPuts } from './events.js';
import { keys } from './keys.js';
import { querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { isContention, transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';

/**
 * A reseller's budget item, per product and license type: `used` counts the quantity of its licenses
 * that are neither revoked nor expired (kept whether or not a limit is set, so a limit set later
 * starts from the truth); `headroom` is `limit - used`, kept beside it because a condition expression
 * cannot add, so that issuing is one conditional update in the license's own transaction.
 */
export interface BudgetRecord {
  readonly resellerId: string;
  readonly productId: string;
  readonly type: string;
  readonly limit?: number;
  readonly used: number;
}

export interface BudgetKey {
  readonly resellerId: string;
  readonly productId: string;
  readonly type: string;
}

const toBudgetRecord = (item: Record<string, unknown>): BudgetRecord => ({
  resellerId: String(item.resellerId),
  productId: String(item.productId),
  type: String(item.type),
  ...(typeof item.limit === 'number' ? { limit: item.limit } : {}),
  used: Number(item.used ?? 0),
});

const identity = (budget: BudgetKey) => ({ ':reseller': budget.resellerId, ':product': budget.productId, ':type': budget.type });

/**
 * Counts `quantity` against the budget: only while no limit is set or the headroom covers it. On
 * failure the old item comes back. Without a limit the headroom runs negative; setting one resets it.
 */
export function budgetTake(table: Table, budget: BudgetKey, quantity: number): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.budget(budget.resellerId, budget.productId, budget.type),
      UpdateExpression:
        'SET used = if_not_exists(used, :zero) + :quantity, headroom = if_not_exists(headroom, :zero) - :quantity, ' +
        'resellerId = :reseller, productId = :product, #type = :type, entity = :entity',
      ConditionExpression: 'attribute_not_exists(#limit) OR headroom >= :quantity',
      ExpressionAttributeNames: { '#limit': 'limit', '#type': 'type' },
      ExpressionAttributeValues: { ':zero': 0, ':quantity': quantity, ':entity': 'budget', ...identity(budget) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Gives `quantity` back (a license revoked or expired); written with the license's change that ends its hold. */
export function budgetReturn(table: Table, budget: BudgetKey, quantity: number): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.budget(budget.resellerId, budget.productId, budget.type),
      UpdateExpression: 'SET used = used - :quantity, headroom = headroom + :quantity',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':quantity': quantity },
    },
  };
}

export async function getBudget(table: Table, budget: BudgetKey): Promise<BudgetRecord | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.budget(budget.resellerId, budget.productId, budget.type), ConsistentRead: true }),
  );
  return Item ? toBudgetRecord(Item) : undefined;
}

/**
 * Sets the limit, with its `budget.set` event: the headroom becomes `limit - used` in the same update,
 * so a concurrent issue counts against the new limit. Lowering it below `used` revokes nothing.
 */
export async function setBudgetLimit(table: Table, budget: BudgetKey, limit: number, event: AuditEvent): Promise<'set' | 'contention'> {
  const outcome = await transactWrite(table, [
    {
      Update: {
        TableName: table.name,
        Key: keys.budget(budget.resellerId, budget.productId, budget.type),
        UpdateExpression:
          'SET #limit = :limit, headroom = :limit - if_not_exists(used, :zero), used = if_not_exists(used, :zero), ' +
          'resellerId = :reseller, productId = :product, #type = :type, entity = :entity',
        ExpressionAttributeNames: { '#limit': 'limit', '#type': 'type' },
        ExpressionAttributeValues: { ':limit': limit, ':zero': 0, ':entity': 'budget', ...identity(budget) },
      },
    },
    ...eventPuts(table, event, [keys.eventFeed.account(budget.resellerId)]),
  ]);
  if (outcome.ok) return 'set';
  if (isContention(outcome)) return 'contention';
  throw new Error(`budget change cancelled: ${outcome.reasons.join(', ')}`);
}

/** One page of a reseller's budgets, by product and type: the items with a limit (a count without one is no budget). */
export async function listBudgets(table: Table, resellerId: string, page: { limit: number; cursor?: string }): Promise<Page<BudgetRecord>> {
  const result = await querySlicePage(table, { partition: keys.budgetsOfReseller(resellerId), prefix: keys.budgetPrefix, carrying: 'limit' }, page);
  return { ...result, items: result.items.map(toBudgetRecord) };
}
