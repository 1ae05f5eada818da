import { table } from '#lib/platform/dynamodb.js';
import { logger } from '#lib/platform/logger.js';
import { returnExpiredBudgets } from '#lib/licenses/budgets.js';

/** Invoked by an EventBridge schedule (hourly): gives budgets back the quantity of expired licenses. */
export async function handler(): Promise<{ returned: number }> {
  const result = await returnExpiredBudgets({ table: table() }, new Date());
  logger.info('expired licenses gave their budget back', result);
  return result;
}
