import type { Table } from '../platform/dynamodb.js';
import type { AuditEvent, ListQuery } from '@license-activation/contract/schemas';
import { listEvents } from '../data/events.js';
import { keys } from '../data/keys.js';
import type { Page } from '../data/pagination.js';

export type AuditSubject = { readonly customerId: string } | { readonly licenseId: string };

/** `GET /v1/customers/{id}/events` and `GET /v1/licenses/{id}/events`, newest first (the route's access decided who may see the subject). */
export async function listAuditEvents(
  deps: { table: Table },
  request: { subject: AuditSubject; query: ListQuery },
): Promise<Page<AuditEvent>> {
  const { subject, query } = request;
  const feed = 'customerId' in subject ? keys.eventFeed.account(subject.customerId) : keys.eventFeed.license(subject.licenseId);
  return listEvents(deps.table, feed, { limit: query.limit, cursor: query.cursor });
}
