import type { Table } from '../platform/dynamodb.js';
import type { AccountPrincipal } from '../auth/principal.js';
import type { License, ListLicensesQuery } from '@license-activation/contract/schemas';
import { customerIdsOfReseller, isAssociated } from '../data/associations.js';
import { listAllLicenses, listLicensesOfCustomer } from '../data/licenses.js';
import type { LicenseRecord } from '../data/licenses.js';
import { isStorableId } from '../data/keys.js';
import { decodeCursorObject, encodeCursorObject, invalidCursor } from '../data/pagination.js';
import type { Page } from '../data/pagination.js';
import { toLicense } from './license-view.js';

/** Where a reseller's list across its customers resumes: a customer, and a cursor inside its licenses. */
interface ResellerCursor {
  readonly customerId: string;
  readonly inner?: string;
}

function decodeResellerCursor(cursor: string): ResellerCursor {
  const { customerId, inner, ...rest } = decodeCursorObject(cursor);
  const innerOk = inner === undefined || typeof inner === 'string';
  // The customer id becomes part of a start key: it must fit in one (isStorableId).
  if (typeof customerId !== 'string' || !isStorableId(customerId) || !innerOk || Object.keys(rest).length > 0) throw invalidCursor();
  return { customerId, ...(inner === undefined ? {} : { inner }) };
}

/** The next customer of the reseller after `afterCustomerId` that has at least one license. */
async function nextCustomerWithLicenses(table: Table, resellerId: string, afterCustomerId: string): Promise<string | undefined> {
  let after = afterCustomerId;
  for (;;) {
    const { ids, more } = await customerIdsOfReseller(table, resellerId, after, 25);
    for (const customerId of ids) {
      if ((await listLicensesOfCustomer(table, customerId, { limit: 1 })).items.length > 0) return customerId;
    }
    const last = ids.at(-1);
    if (!more || last === undefined) return undefined;
    after = last;
  }
}

/**
 * Every license of every customer a reseller manages: customer by customer (in id order), each
 * customer's newest first. The cursor names the customer to resume in; a cursor is only given when
 * another license follows, so the last page never points at an empty one.
 */
async function listLicensesOfReseller(table: Table, resellerId: string, page: { limit: number; cursor?: string }): Promise<Page<LicenseRecord>> {
  const start = page.cursor === undefined ? undefined : decodeResellerCursor(page.cursor);
  const items: LicenseRecord[] = [];
  // The first customer is the cursor's, if the reseller still manages it; then the ones after it.
  let pending: string[] = start && (await isAssociated(table, resellerId, start.customerId)) ? [start.customerId] : [];
  let inner = pending.length > 0 ? start?.inner : undefined;
  let after = start?.customerId;
  let moreCustomers = true;
  for (;;) {
    if (pending.length === 0) {
      if (!moreCustomers) return { items };
      const batch = await customerIdsOfReseller(table, resellerId, after, 25);
      pending = batch.ids;
      moreCustomers = batch.more;
      if (pending.length === 0) return { items };
    }
    const customerId = pending.shift() as string;
    after = customerId;
    const licenses = await listLicensesOfCustomer(table, customerId, { limit: page.limit - items.length, cursor: inner });
    inner = undefined;
    items.push(...licenses.items);
    if (items.length < page.limit) continue;
    if (licenses.nextCursor) return { items, nextCursor: encodeCursorObject({ customerId, inner: licenses.nextCursor }) };
    const next = await nextCustomerWithLicenses(table, resellerId, customerId);
    return next === undefined ? { items } : { items, nextCursor: encodeCursorObject({ customerId: next }) };
  }
}

/**
 * `GET /v1/licenses`: a customer sees its own; a reseller those of one customer it manages
 * (`customerId`) or of all of them; ops those of one customer or every license. The route's access
 * decided that the caller may see the customer `customerId` names.
 */
export async function listLicenses(
  deps: { table: Table },
  request: { account: AccountPrincipal; query: ListLicensesQuery; now: Date },
): Promise<Page<License>> {
  const { account, query, now } = request;
  const page = { limit: query.limit, cursor: query.cursor };
  const customerId = query.customerId ?? (account.kind === 'customer' ? account.id : undefined);
  let records: Page<LicenseRecord>;
  if (customerId !== undefined) {
    records = await listLicensesOfCustomer(deps.table, customerId, page);
  } else if (account.kind === 'reseller') {
    records = await listLicensesOfReseller(deps.table, account.id, page);
  } else {
    records = await listAllLicenses(deps.table, page);
  }
  return { ...records, items: records.items.map((record) => toLicense(record, now)) };
}
