import type { Table } from '../platform/dynamodb.js';
import { assertMayActForCustomer } from '../accounts/customer-access.js';
import type { AccountPrincipal } from '../auth/principal.js';
import type { AuditEvent, ListQuery } from '@license-activation/contract/schemas';
import { listEvents } from '../data/events.js';
import { keys } from '../data/keys.js';
import type { Page } from '../data/pagination.js';
import { visibleLicense } from '../licenses/license-access.js';

export type AuditSubject = { readonly customerId: string } | { readonly licenseId: string };

/** `GET /v1/customers/{id}/events` and `GET /v1/licenses/{id}/events`, newest first, for those who may see the subject. */
export async function listAuditEvents(
  deps: { table: Table },
  request: { account: AccountPrincipal; subject: AuditSubject; query: ListQuery },
): Promise<Page<AuditEvent>> {
  const { account, subject, query } = request;
  let feed: string;
  if ('customerId' in subject) {
    await assertMayActForCustomer(deps.table, account, subject.customerId);
    feed = keys.eventFeed.account(subject.customerId);
  } else {
    await visibleLicense(deps.table, account, subject.licenseId);
    feed = keys.eventFeed.license(subject.licenseId);
  }
  return listEvents(deps.table, feed, { limit: query.limit, cursor: query.cursor });
}
