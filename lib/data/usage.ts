import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import { queryAll } from './pagination.js';
import type { TransactItem } from './transactions.js';

/**
 * Daily usage history (docs/ARCHITECTURE.md, "Usage history and insights"): one item per installation
 * and day it was seen, one per license and day, and a license's status changes. Day items expire
 * 400 days after their day (TTL).
 */

const dayMs = 24 * 60 * 60 * 1000;
/** History is kept this many days. */
export const historyDays = 400;

const expiryOf = (date: string) => Math.floor((Date.parse(`${date}T00:00:00Z`) + (historyDays + 1) * dayMs) / 1000);

/** An installation's day, as the stream consumer keeps it. */
export interface InstallationDay {
  readonly date: string;
  readonly heartbeats: number;
  readonly activeUsersPeak: number;
  /** The seats its newest token of the day granted. */
  readonly seatsLicensed: number;
  /** The licenses it held when it was seen that day: each of their days counts it. */
  readonly licenseIds: readonly string[];
  /** The installation's revision last applied: a record of an older one changes nothing. */
  readonly rev: number;
  /** The newest heartbeat counted (its `usage.reportedAt`). */
  readonly lastReportedAt?: string;
}

export interface LicenseDay {
  readonly date: string;
  readonly installationsSeen: number;
  readonly activeUsersPeak: number;
}

function toInstallationDay(item: Record<string, unknown>): InstallationDay {
  return {
    date: String(item.sk).slice(keys.usageDayPrefix.length),
    heartbeats: Number(item.heartbeats ?? 0),
    activeUsersPeak: Number(item.activeUsersPeak ?? 0),
    seatsLicensed: Number(item.seatsLicensed ?? 0),
    licenseIds: (item.licenseIds as string[] | undefined) ?? [],
    rev: Number(item.rev ?? -1),
    ...(typeof item.lastReportedAt === 'string' ? { lastReportedAt: item.lastReportedAt } : {}),
  };
}

export async function getInstallationDay(table: Table, installationId: string, date: string): Promise<InstallationDay | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.installationUsageDay(installationId, date), ConsistentRead: true }));
  return Item ? toInstallationDay(Item) : undefined;
}

/**
 * Writes an installation's day (conditioned on the revision read, so that a record is applied once) and
 * moves each license's day by what the installation's day adds to it now rather than before: counted
 * seen the first time it held the license that day, and its peak.
 */
export function installationDayChange(table: Table, installationId: string, stored: InstallationDay | undefined, next: InstallationDay): TransactItem[] {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table.name,
        Item: { ...keys.installationUsageDay(installationId, next.date), entity: 'usage-day', installationId, ...next, ttl: expiryOf(next.date) },
        ...(stored ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': stored.rev } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
  ];
  const before = new Set(stored?.licenseIds ?? []);
  for (const licenseId of next.licenseIds) {
    const seen = before.has(licenseId) ? 0 : 1;
    const peak = next.activeUsersPeak - (before.has(licenseId) ? (stored?.activeUsersPeak ?? 0) : 0);
    if (seen === 0 && peak === 0) continue;
    items.push({
      Update: {
        TableName: table.name,
        Key: keys.licenseUsageDay(licenseId, next.date),
        UpdateExpression: 'ADD installationsSeen :seen, activeUsersPeak :peak SET entity = :entity, licenseId = :license, #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':seen': seen, ':peak': peak, ':entity': 'usage-day', ':license': licenseId, ':ttl': expiryOf(next.date) },
      },
    });
  }
  return items;
}

/** A license's day recomputed from its installations' days (the rebuild). */
export function licenseDayItem(licenseId: string, day: LicenseDay): Record<string, unknown> {
  return { ...keys.licenseUsageDay(licenseId, day.date), installationsSeen: day.installationsSeen, activeUsersPeak: day.activeUsersPeak, entity: 'usage-day', licenseId, ttl: expiryOf(day.date) };
}

/** Whether an item is an installation's day of history, and then the day. */
export function asInstallationDay(item: Record<string, unknown>): (InstallationDay & { installationId: string }) | undefined {
  if (!String(item.pk).startsWith(keys.installationUsageDay('', '').pk) || !String(item.sk).startsWith(keys.usageDayPrefix)) return undefined;
  return { installationId: String(item.installationId), ...toInstallationDay(item) };
}

function queryDays(table: Table, pk: string, from: string, to: string): Promise<Record<string, unknown>[]> {
  return queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': pk, ':from': `${keys.usageDayPrefix}${from}`, ':to': `${keys.usageDayPrefix}${to}` },
  });
}

/** An installation's days from `from` to `to` (both included) on which it was seen, oldest first. */
export async function installationDays(table: Table, installationId: string, from: string, to: string): Promise<InstallationDay[]> {
  return (await queryDays(table, keys.installationUsageDay(installationId, '').pk, from, to)).map(toInstallationDay);
}

/** The installation's last day seen before `date`, if within the history kept. */
export async function installationDayBefore(table: Table, installationId: string, date: string): Promise<InstallationDay | undefined> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :before',
      ExpressionAttributeValues: { ':pk': keys.installationUsageDay(installationId, '').pk, ':first': keys.usageDayPrefix, ':before': `${keys.usageDayPrefix}${date}` },
      ScanIndexForward: false,
      Limit: 2,
    }),
  );
  return Items.map(toInstallationDay).find((day) => day.date < date);
}

/** A license's days from `from` to `to` on which one of its installations was seen, oldest first. */
export async function licenseDays(table: Table, licenseId: string, from: string, to: string): Promise<LicenseDay[]> {
  return (await queryDays(table, keys.licenseUsageDay(licenseId, '').pk, from, to)).map((item) => ({
    date: String(item.sk).slice(keys.usageDayPrefix.length),
    installationsSeen: Number(item.installationsSeen ?? 0),
    activeUsersPeak: Number(item.activeUsersPeak ?? 0),
  }));
}

/** A status change of a license, from its event. */
export interface LicenseStatusChange {
  readonly at: string;
  readonly status: 'active' | 'suspended' | 'revoked';
}

const statusChangePrefix = 'change@';

/** Records a status change under its event's id: recording it twice is recording it once. */
export async function recordLicenseStatusChange(table: Table, licenseId: string, eventId: string, change: LicenseStatusChange): Promise<void> {
  await table.client.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.licenseStatusHistory(licenseId),
      UpdateExpression: 'SET #change = :change, entity = :entity',
      ExpressionAttributeNames: { '#change': `${statusChangePrefix}${eventId}` },
      ExpressionAttributeValues: { ':change': change, ':entity': 'usage-status' },
    }),
  );
}

/** A license's status changes recomputed from its events (the rebuild), by event id. */
export function statusHistoryItem(licenseId: string, changes: ReadonlyMap<string, LicenseStatusChange>): Record<string, unknown> {
  return { ...keys.licenseStatusHistory(licenseId), entity: 'usage-status', ...Object.fromEntries([...changes].map(([eventId, change]) => [`${statusChangePrefix}${eventId}`, change])) };
}

/** A license's status changes, oldest first. */
export async function licenseStatusChanges(table: Table, licenseId: string): Promise<LicenseStatusChange[]> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.licenseStatusHistory(licenseId) }));
  return Object.entries(Item ?? {})
    .filter(([name]) => name.startsWith(statusChangePrefix))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, change]) => change as LicenseStatusChange);
}
