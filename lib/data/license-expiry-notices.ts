import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

/**
 * The expiry notices a license with an `expiresAt` still has to give (`license.expiring` at 30 and 7 days,
 * `license.expired`): one item beside the license, written at its issue, in the sparse gsi3 partition
 * `LICENSE_EXPIRIES` by the time of its next notice, and deleted once the last is given. A license item's
 * own gsi3 keys may be held by its budget (`BUDGET_EXPIRIES`), hence an item of its own.
 */

/** The notices given so far: the 30-day window, the 7-day window, the expiry. */
export type ExpiryNotice = '30' | '7' | 'expired';

export interface ExpiryNotices {
  readonly licenseId: string;
  readonly expiresAt: string;
  readonly given: readonly ExpiryNotice[];
  readonly nextAt: string;
}

const dayMs = 24 * 60 * 60 * 1000;

function noticesItem(notices: ExpiryNotices) {
  return { ...keys.licenseExpiryNotices(notices.licenseId), entity: 'licenseExpiryNotices', ...notices, gsi3pk: keys.licenseExpiries, gsi3sk: `${notices.nextAt}#${notices.licenseId}` };
}

/** The notices of a license issued now: the first is due when it enters the 30-day window, at once if it is issued inside it. */
export function newExpiryNoticesPut(table: Table, license: { id: string; expiresAt: string }, now: Date): TransactItem {
  const windowStart = Date.parse(license.expiresAt) - 30 * dayMs;
  const nextAt = new Date(Math.max(now.getTime(), windowStart)).toISOString();
  return { Put: { TableName: table.name, Item: noticesItem({ licenseId: license.id, expiresAt: license.expiresAt, given: [], nextAt }), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** Licenses whose next notice is due by `now`, earliest first (gsi3: the job re-reads each license). */
export async function dueExpiryNotices(table: Table, now: Date, limit: number): Promise<ExpiryNotices[]> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :expiries AND gsi3sk <= :now',
      ExpressionAttributeValues: { ':expiries': keys.licenseExpiries, ':now': `${now.toISOString()}#\uffff` },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    licenseId: String(item.licenseId),
    expiresAt: String(item.expiresAt),
    given: Array.isArray(item.given) ? (item.given as ExpiryNotice[]) : [],
    nextAt: String(item.nextAt),
  }));
}

/** The notices after one is given: the next one due at `nextAt`, or none left (the item goes). Holds only if nobody gave one meanwhile. */
export function expiryNoticesChange(table: Table, read: ExpiryNotices, next: { given: readonly ExpiryNotice[]; nextAt?: string }): TransactItem {
  const unchanged = { ConditionExpression: 'size(given) = :count', ExpressionAttributeValues: { ':count': read.given.length } };
  if (next.nextAt === undefined) return { Delete: { TableName: table.name, Key: keys.licenseExpiryNotices(read.licenseId), ...unchanged } };
  return { Put: { TableName: table.name, Item: noticesItem({ ...read, given: next.given, nextAt: next.nextAt }), ...unchanged } };
}
