import { table } from '#lib/platform/dynamodb.js';
import { logger } from '#lib/platform/logger.js';
import { giveExpiryNotices } from '#lib/licenses/expiry-notices.js';

/** Invoked by an EventBridge schedule (hourly): `license.expiring` (30 and 7 days) and `license.expired`, within the hour. */
export async function handler(): Promise<{ handled: number }> {
  const result = await giveExpiryNotices({ table: table() }, new Date());
  logger.info('license expiry notices given', result);
  return result;
}
