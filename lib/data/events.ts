import type { Table } from '../platform/dynamodb.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { keys } from './keys.js';
import { querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import type { TransactItem } from './transactions.js';

/**
 * The Put items that record an event in every feed it belongs to (its customer's, its license's,
 * its installation's, plus any extra), to be written in the same transaction as the change itself.
 * One copy per feed keeps every feed a strongly consistent, newest-first Query.
 */
export function eventPuts(table: Table, event: AuditEvent, extraFeeds: readonly string[] = []): TransactItem[] {
  const feeds = new Set(extraFeeds);
  if (event.customerId) feeds.add(keys.eventFeed.account(event.customerId));
  if (event.licenseId) feeds.add(keys.eventFeed.license(event.licenseId));
  if (event.installationId) feeds.add(keys.eventFeed.installation(event.installationId));
  return [...feeds].map((pk) => ({
    Put: {
      TableName: table.name,
      Item: { pk, sk: keys.event(event.id), entity: 'event', ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
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
