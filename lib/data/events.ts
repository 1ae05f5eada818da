import type { Table } from '../platform/dynamodb.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { keys } from './keys.js';
import { querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import type { LabelledItem, TransactItem } from './transactions.js';

/**
 * The feeds an event is recorded in: its customer's and its license's (the two the API lists), plus any
 * extra. An event of an installation alone (a trial's start) is kept in that installation's feed; an
 * installation's other events are read through their customer and license, so a third copy would cost
 * every activation two write units for nothing.
 */
function eventFeeds(event: AuditEvent, extraFeeds: readonly string[] = []): string[] {
  const feeds = new Set(extraFeeds);
  if (event.customerId) feeds.add(keys.eventFeed.account(event.customerId));
  if (event.licenseId) feeds.add(keys.eventFeed.license(event.licenseId));
  if (feeds.size === 0 && event.installationId) feeds.add(keys.eventFeed.installation(event.installationId));
  return [...feeds];
}

/** The events of a change to an account (its members, its keys), each in the account's own feed too, labelled for a transaction. */
export function accountEventPuts(table: Table, accountId: string, events: readonly AuditEvent[]): LabelledItem<'event'>[] {
  return events.flatMap((event) => eventPuts(table, event, [keys.eventFeed.account(accountId)])).map((item) => ['event', item] as const);
}

/**
 * The Put items that record an event in every feed it belongs to, to be written in the same transaction
 * as the change itself. One copy per feed keeps every feed a strongly consistent, newest-first Query.
 */
export function eventPuts(table: Table, event: AuditEvent, extraFeeds: readonly string[] = []): TransactItem[] {
  return eventFeeds(event, extraFeeds).map((pk) => ({
    Put: {
      TableName: table.name,
      Item: { pk, sk: keys.event(event.id), entity: 'event', ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
}

/**
 * An installation's event (`installation.*`): in its customer's feed and in the feed of every license it
 * holds, so that whoever may read one of them sees it (API.md §9); an installation on trial, in its own.
 */
export function installationEventPuts(table: Table, event: AuditEvent, licenseIds: readonly string[]): TransactItem[] {
  return eventPuts(table, event, licenseIds.map((licenseId) => keys.eventFeed.license(licenseId)));
}

const eventAttributes = ['id', 'type', 'createdAt', 'actor', 'customerId', 'licenseId', 'installationId', 'data'] as const;

function toEvent(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const name of eventAttributes) if (item[name] !== undefined) event[name] = item[name];
  return event as AuditEvent;
}

/** A feed's events, newest first (event ids are ULIDs, so the sort key orders them by time). */
export async function listEvents(table: Table, feed: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEvent>> {
  const result = await querySlicePage(table, { partition: feed, prefix: keys.eventPrefix, newestFirst: true }, page);
  return { ...result, items: result.items.map(toEvent) };
}
