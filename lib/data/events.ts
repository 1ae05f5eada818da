import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
 *
 * The first copy is also the event's outbox entry (the transactional outbox): it names every feed the event
 * is in (who may read it) and stands in the sparse gsi3 partition `EVENTS_UNDISPATCHED` until the webhook
 * dispatcher has made its deliveries and put it on the event bus. The dispatcher reads the table's stream
 * for speed; the outbox is what makes "no committed event is lost" hold whatever happens to the stream.
 */
export function eventPuts(table: Table, event: AuditEvent, extraFeeds: readonly string[] = []): TransactItem[] {
  const feeds = eventFeeds(event, extraFeeds);
  return feeds.map((pk, index) => ({
    Put: {
      TableName: table.name,
      Item: { pk, sk: keys.event(event.id), entity: 'event', ...event, ...(index === 0 ? { feeds, gsi3pk: keys.undispatchedEvents, gsi3sk: event.id } : {}) },
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

/** An event as its outbox entry holds it: the event, and the feeds (partitions) it was recorded in. */
export interface OutboxEvent {
  readonly event: AuditEvent;
  readonly feeds: readonly string[];
}

/** The outbox entry an event item is, if it is one (the first copy, still undispatched). */
export function outboxEventOf(item: Record<string, unknown>): OutboxEvent | undefined {
  if (item.entity !== 'event' || item.gsi3pk !== keys.undispatchedEvents || !Array.isArray(item.feeds)) return undefined;
  return { event: toEvent(item), feeds: item.feeds.map(String) };
}

/** Events committed before `before` and still undispatched, oldest first: what the stream did not hand over. */
export async function undispatchedEvents(table: Table, beforeEventId: string, limit: number): Promise<OutboxEvent[]> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :outbox AND gsi3sk < :before',
      ExpressionAttributeValues: { ':outbox': keys.undispatchedEvents, ':before': beforeEventId },
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map(outboxEventOf).filter((entry): entry is OutboxEvent => entry !== undefined);
}

/** Takes a dispatched event out of the outbox; a second dispatch of it (the stream and the sweep) finds it gone. */
export async function markEventDispatched(table: Table, entry: OutboxEvent): Promise<void> {
  const [outbox] = entry.feeds;
  if (!outbox) return;
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { pk: outbox, sk: keys.event(entry.event.id) },
        UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
        ConditionExpression: 'gsi3pk = :outbox',
        ExpressionAttributeValues: { ':outbox': keys.undispatchedEvents },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
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
