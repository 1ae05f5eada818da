import type { Catalog } from '@license-activation/contract/catalog-schema';
import type { Insights } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import type { AccountPrincipal } from '../auth/principal.js';
import { customerScope, overSeatsOfScope, readAsOf, readScopeCounters, resellerScope, vendorScope } from '../data/insights.js';
import { insightsSpan, insightsView } from './insights-view.js';

/** How many installations `overSeats` lists at most. */
export const overSeatsShown = 100;

/**
 * The scope an account reads: its own (ops: the vendor's), or the one customer named, which its route's
 * access decision let it see (lib/auth/access.ts).
 */
export function insightsScope(account: AccountPrincipal, customerId: string | undefined): { scope: string; vendor: boolean } {
  if (customerId !== undefined) return { scope: customerScope(customerId), vendor: false };
  switch (account.kind) {
    case 'ops':
      return { scope: vendorScope, vendor: true };
    case 'reseller':
      return { scope: resellerScope(account.id), vendor: false };
    case 'customer':
      return { scope: customerScope(account.id), vendor: false };
  }
}

/**
 * `GET /v1/insights`: the figures of the caller's scope, or of the one customer named. Four Queries
 * and two GetItems whatever the scope's size: the counters of a bounded span of days, the first 100
 * entries of the over-seats index, and how far the stream has been applied (`asOf`; the time of the
 * request while nothing was ever applied).
 */
export async function readInsights(
  deps: { readonly table: Table; readonly catalog: Catalog },
  request: { readonly account: AccountPrincipal; readonly customerId?: string; readonly now: Date },
): Promise<{ insights: Insights }> {
  const { table } = deps;
  const { scope, vendor } = insightsScope(request.account, request.customerId);
  const asOf = (await readAsOf(table)) ?? request.now.toISOString();
  const [counted, overSeats] = await Promise.all([readScopeCounters(table, scope, insightsSpan(asOf)), overSeatsOfScope(table, scope, overSeatsShown)]);
  return { insights: insightsView({ asOf, counted, overSeats, productIds: Object.keys(deps.catalog), vendor }) };
}
