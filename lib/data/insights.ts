import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { batchGet, mapKey } from './batch-get.js';
import { keys } from './keys.js';
import { queryAll } from './pagination.js';
import type { TransactItem } from './transactions.js';

/**
 * The insights of each scope (docs/ARCHITECTURE.md, "Usage history and insights"), in the scope's
 * partition `INSIGHTS#<scope>`, where scope is `VENDOR`, `CUSTOMER#<id>` or `RESELLER#<id>`:
 *
 * - `A#TOTALS`: counters that do not depend on the day (`installations:<product>`, `limited:<reason>`, …);
 * - dated counters (installations by the day last seen, licenses by their expiry day, …) in three
 *   levels, so that any "before day D" sums a bounded number of small items: `M#<YYYY-MM>#<family>`
 *   holds one attribute per day (`<field>@DD`), `Y#<YYYY>#<family>` one per month, `A#<family>` one per year;
 * - `SRC#<source>`: what each source (an installation, a license, an activation) has added to this
 *   scope's counters, and the revision it was read at, so that the next change applies the difference
 *   and a record delivered twice changes nothing;
 * - `OVER#<rank>#<installationId>`: the installations over their seats, largest excess first;
 * - `RESELLERS` (customer scopes): the resellers whose scopes include this customer's sources.
 */

export type Counters = Readonly<Record<string, number>>;

/** A counter that counts on a day: its family of histograms, its field, and the day (`YYYY-MM-DD`). */
export const datedCounter = (family: string, field: string, day: string): string => `${family}.${field}@${day}`;
const datedPattern = /^([^.@]+)\.([^@]+)@(\d{4})-(\d{2})-(\d{2})$/;

/** An installation whose latest report exceeds the seats its token granted. */
export interface OverSeat {
  readonly installationId: string;
  readonly customerId?: string;
  readonly licenseIds: readonly string[];
  readonly seatsLicensed: number;
  readonly activeUsers: number;
}

/** What a source adds to a scope. */
export interface Contribution {
  readonly counters: Counters;
  readonly overSeats?: OverSeat;
  /** The source's revision (installations): a record of an older one changes nothing. */
  readonly rev?: number;
}

/** A contribution as a scope holds it, with the version its next change is conditioned on. */
export interface AppliedContribution extends Contribution {
  readonly ver: number;
}

const totalsKey = 'A#TOTALS';
const allTimePrefix = 'A#';
const sourcePrefix = 'SRC#';
const overSeatPrefix = 'OVER#';
const resellersKey = 'RESELLERS';
/** Larger than any excess (active users are at most 100,000,000), so that ranks sort by excess descending. */
const rankBase = 10_000_000_000;

const bucketKeys = {
  allTime: (family: string) => `A#${family}`,
  year: (year: string, family: string) => `Y#${year}#${family}`,
  month: (month: string, family: string) => `M#${month}#${family}`,
};
const sourceKey = (source: string) => `${sourcePrefix}${source}`;
const overSeatKey = (over: OverSeat) => `${overSeatPrefix}${String(rankBase - (over.activeUsers - over.seatsLicensed)).padStart(11, '0')}#${over.installationId}`;

export const vendorScope = 'VENDOR';
export const customerScope = (customerId: string): string => `CUSTOMER#${customerId}`;
export const resellerScope = (resellerId: string): string => `RESELLER#${resellerId}`;

/** `after - before`, counter by counter, without the ones that do not move. */
export function counterDeltas(before: Counters, after: Counters): Counters {
  const deltas: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta !== 0) deltas[name] = delta;
  }
  return deltas;
}

/** The bucket items and attributes counter deltas move: sort key → attribute → delta. */
function bucketDeltas(deltas: Counters): Map<string, Map<string, number>> {
  const buckets = new Map<string, Map<string, number>>();
  const add = (sk: string, attribute: string, delta: number) => {
    const attributes = buckets.get(sk) ?? new Map<string, number>();
    attributes.set(attribute, (attributes.get(attribute) ?? 0) + delta);
    buckets.set(sk, attributes);
  };
  for (const [name, delta] of Object.entries(deltas)) {
    const dated = datedPattern.exec(name);
    if (!dated) {
      add(totalsKey, name, delta);
      continue;
    }
    const [, family = '', field = '', year = '', month = '', day = ''] = dated;
    add(bucketKeys.month(`${year}-${month}`, family), `${field}@${day}`, delta);
    add(bucketKeys.year(year, family), `${field}@${month}`, delta);
    add(bucketKeys.allTime(family), `${field}@${year}`, delta);
  }
  for (const [sk, attributes] of buckets) {
    for (const [attribute, delta] of attributes) if (delta === 0) attributes.delete(attribute);
    if (attributes.size === 0) buckets.delete(sk);
  }
  return buckets;
}

const sameOverSeat = (a: OverSeat | undefined, b: OverSeat | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether applying `next` over `stored` would change no figure. A newer revision alone is not written:
 * the figures stored are already the newer revision's.
 */
export function unchanged(stored: Contribution | undefined, next: Contribution | undefined): boolean {
  return (
    Object.keys(counterDeltas(stored?.counters ?? {}, next?.counters ?? {})).length === 0 &&
    sameOverSeat(stored?.overSeats, next?.overSeats) &&
    (stored === undefined) === (next === undefined)
  );
}

/**
 * The transaction items that move one scope from what a source added before (`stored`) to what it adds
 * now (`next`, undefined once it adds nothing): the counters' differences, its over-seats entry, and its
 * `SRC#` item, conditioned on the version read so that two handlers of one source cannot both apply.
 */
export function scopeChange(table: Table, scope: string, source: string, stored: AppliedContribution | undefined, next: Contribution | undefined): TransactItem[] {
  const pk = keys.insightsScope(scope);
  const items: TransactItem[] = [];
  const sourceItemKey = { pk, sk: sourceKey(source) };
  const condition = stored
    ? { ConditionExpression: 'ver = :ver', ExpressionAttributeValues: { ':ver': stored.ver } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
  items.push(
    next
      ? { Put: { TableName: table.name, Item: { ...sourceItemKey, entity: 'insights-source', source, ...next, ver: (stored?.ver ?? 0) + 1 }, ...condition } }
      : { Delete: { TableName: table.name, Key: sourceItemKey, ...condition } },
  );
  for (const [sk, attributes] of bucketDeltas(counterDeltas(stored?.counters ?? {}, next?.counters ?? {}))) {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const additions = [...attributes].map(([attribute, delta], index) => {
      names[`#a${index}`] = attribute;
      values[`:d${index}`] = delta;
      return `#a${index} :d${index}`;
    });
    items.push({ Update: { TableName: table.name, Key: { pk, sk }, UpdateExpression: `ADD ${additions.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } });
  }
  if (!sameOverSeat(stored?.overSeats, next?.overSeats)) {
    const before = stored?.overSeats && overSeatKey(stored.overSeats);
    const after = next?.overSeats && overSeatKey(next.overSeats);
    if (before && before !== after) items.push({ Delete: { TableName: table.name, Key: { pk, sk: before } } });
    if (next?.overSeats && after) items.push({ Put: { TableName: table.name, Item: { pk, sk: after, entity: 'insights-over-seats', ...next.overSeats } } });
  }
  return items;
}

/** Holds while a scope's contribution of a source is still the version read (absent: still none). */
export function sourceUnchanged(table: Table, scope: string, source: string, ver: number | undefined): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: { pk: keys.insightsScope(scope), sk: sourceKey(source) },
      ...(ver === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'ver = :ver', ExpressionAttributeValues: { ':ver': ver } }),
    },
  };
}

/**
 * Every item of a scope recomputed from nothing (the rebuild): its counters in their buckets, each
 * source's contribution, the over-seats index and, for a customer, its resellers.
 */
export function scopeItems(
  scope: string,
  content: { counters: Counters; sources: ReadonlyMap<string, Contribution>; resellerIds?: readonly string[] },
): Record<string, unknown>[] {
  const pk = keys.insightsScope(scope);
  const items: Record<string, unknown>[] = [...bucketDeltas(content.counters)].map(([sk, attributes]) => ({ pk, sk, ...Object.fromEntries(attributes) }));
  for (const [source, contribution] of content.sources) {
    items.push({ pk, sk: sourceKey(source), entity: 'insights-source', source, ...contribution, ver: 1 });
    if (contribution.overSeats) items.push({ pk, sk: overSeatKey(contribution.overSeats), entity: 'insights-over-seats', ...contribution.overSeats });
  }
  if (content.resellerIds && content.resellerIds.length > 0) {
    items.push({ pk, sk: resellersKey, entity: 'insights-resellers', resellerIds: new Set(content.resellerIds), ver: 1 });
  }
  return items;
}

function toApplied(item: Record<string, unknown>): AppliedContribution {
  return {
    counters: (item.counters ?? {}) as Counters,
    ...(item.overSeats ? { overSeats: item.overSeats as OverSeat } : {}),
    ...(typeof item.rev === 'number' ? { rev: item.rev } : {}),
    ver: Number(item.ver ?? 0),
  };
}

/** What a source has added to each of these scopes (strongly consistent, one BatchGetItem). */
export async function appliedContributions(table: Table, source: string, scopes: readonly string[]): Promise<Map<string, AppliedContribution>> {
  const itemKeys = scopes.map((scope) => ({ pk: keys.insightsScope(scope), sk: sourceKey(source) }));
  const found = await batchGet(table, itemKeys);
  const applied = new Map<string, AppliedContribution>();
  scopes.forEach((scope, index) => {
    const item = found.get(mapKey(itemKeys[index] as { pk: string; sk: string }));
    if (item) applied.set(scope, toApplied(item));
  });
  return applied;
}

/** The resellers a customer's sources are counted for, and the version of that list. */
export interface CustomerResellers {
  readonly resellerIds: readonly string[];
  readonly ver: number;
}

export async function resellersOfCustomer(table: Table, customerId: string): Promise<CustomerResellers> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: { pk: keys.insightsScope(customerScope(customerId)), sk: resellersKey }, ConsistentRead: true }),
  );
  return { resellerIds: [...((Item?.resellerIds as Set<string> | undefined) ?? [])].sort(), ver: Number(Item?.ver ?? 0) };
}

/** Holds while the customer's resellers are the version read: a change meanwhile means other scopes. */
export function resellersUnchanged(table: Table, customerId: string, ver: number): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: { pk: keys.insightsScope(customerScope(customerId)), sk: resellersKey },
      ...(ver === 0 ? { ConditionExpression: 'attribute_not_exists(ver)' } : { ConditionExpression: 'ver = :ver', ExpressionAttributeValues: { ':ver': ver } }),
    },
  };
}

/** Adds a reseller to the customer's list or takes it off, and moves the list's version on. */
export async function changeResellers(table: Table, customerId: string, resellerId: string, change: 'add' | 'remove'): Promise<CustomerResellers> {
  const { Attributes } = await table.client.send(
    new UpdateCommand({
      TableName: table.name,
      Key: { pk: keys.insightsScope(customerScope(customerId)), sk: resellersKey },
      UpdateExpression: change === 'add' ? 'ADD resellerIds :reseller, ver :one SET entity = :entity' : 'DELETE resellerIds :reseller ADD ver :one SET entity = :entity',
      ExpressionAttributeValues: { ':reseller': new Set([resellerId]), ':one': 1, ':entity': 'insights-resellers' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { resellerIds: [...((Attributes?.resellerIds as Set<string> | undefined) ?? [])].sort(), ver: Number(Attributes?.ver ?? 0) };
}

/** Every source counted in a scope, a page at a time (strongly consistent). */
export async function sourcesOfScope(
  table: Table,
  scope: string,
  after?: Record<string, unknown>,
): Promise<{ sources: Array<{ source: string; applied: AppliedContribution }>; next?: Record<string, unknown> }> {
  const { Items = [], LastEvaluatedKey } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.insightsScope(scope), ':prefix': sourcePrefix },
      ConsistentRead: true,
      ...(after ? { ExclusiveStartKey: after } : {}),
    }),
  );
  return { sources: Items.map((item) => ({ source: String(item.source), applied: toApplied(item) })), ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}) };
}

const numbersOf = (item: Record<string, unknown>): Record<string, number> =>
  Object.fromEntries(Object.entries(item).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));

/** A scope's counters as read for a span of days: its totals, and any dated count before a day of the span. */
export interface ScopeCounters {
  readonly totals: Counters;
  /** The sum of a dated counter over every day before `day` (from the first of `span.from`'s month to the day after `span.to`). */
  countBefore(family: string, field: string, day: string): number;
}

/**
 * Reads a scope's counters for `countBefore` any day in `span`: three Queries (all-time items, the
 * span's years, its months) whose size depends on the calendar, not on how many sources the scope has.
 */
export async function readScopeCounters(table: Table, scope: string, span: { from: string; to: string }): Promise<ScopeCounters> {
  const pk = keys.insightsScope(scope);
  const between = (from: string, to: string) => ({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
  });
  const [allTime, years, months] = await Promise.all([
    queryAll(table, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': allTimePrefix } }),
    queryAll(table, between(`Y#${span.from.slice(0, 4)}#`, `Y#${span.to.slice(0, 4)}#~`)),
    queryAll(table, between(`M#${span.from.slice(0, 7)}#`, `M#${span.to.slice(0, 7)}#~`)),
  ]);
  const bySortKey = new Map([...allTime, ...years, ...months].map((item) => [String(item.sk), numbersOf(item)]));
  const sumBelow = (sk: string, field: string, below: string) =>
    Object.entries(bySortKey.get(sk) ?? {}).reduce((sum, [attribute, count]) => {
      const [name, at = ''] = attribute.split('@');
      return name === field && at < below ? sum + count : sum;
    }, 0);
  return {
    totals: bySortKey.get(totalsKey) ?? {},
    countBefore(family, field, day) {
      const [year = '', month = '', date = ''] = day.split('-');
      return (
        sumBelow(bucketKeys.allTime(family), field, year) +
        sumBelow(bucketKeys.year(year, family), field, month) +
        sumBelow(bucketKeys.month(`${year}-${month}`, family), field, date)
      );
    },
  };
}

/** A scope's installations over their seats, largest excess first (one Query). */
export async function overSeatsOfScope(table: Table, scope: string, limit: number): Promise<OverSeat[]> {
  const { Items = [] } = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.insightsScope(scope), ':prefix': overSeatPrefix },
      Limit: limit,
    }),
  );
  return Items.map((item) => ({
    installationId: String(item.installationId),
    ...(item.customerId !== undefined ? { customerId: String(item.customerId) } : {}),
    licenseIds: (item.licenseIds as string[] | undefined) ?? [],
    seatsLicensed: Number(item.seatsLicensed),
    activeUsers: Number(item.activeUsers),
  }));
}

const clockKeys = {
  /** Written by the scheduled tick: its change carries the time through the stream when nothing else is written. */
  tick: { pk: keys.insightsClock, sk: 'TICK' },
  /** The newest commit (or tick) the consumer has applied: the answer's `asOf`. */
  asOf: { pk: keys.insightsClock, sk: 'AS_OF' },
};

/** The clock's tick item: the one change of the consumer's partitions it is given. */
export const tickKey = clockKeys.tick;

/** Whether a stream record is of the clock's tick, and then its time. */
export function tickTime(item: Record<string, unknown>): string | undefined {
  return item.pk === clockKeys.tick.pk && item.sk === clockKeys.tick.sk && typeof item.at === 'string' ? item.at : undefined;
}

export async function writeTick(table: Table, at: Date): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.name, Item: { ...clockKeys.tick, entity: 'insights-clock', at: at.toISOString() } }));
}

/** Moves `asOf` forward to `at` (never back: batches of other shards may be older). */
export async function advanceAsOf(table: Table, at: string): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: clockKeys.asOf,
        UpdateExpression: 'SET #at = :at, entity = :entity',
        ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': at, ':entity': 'insights-clock' },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

export async function readAsOf(table: Table): Promise<string | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: clockKeys.asOf }));
  return typeof Item?.at === 'string' ? Item.at : undefined;
}
