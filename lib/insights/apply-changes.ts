import type { Catalog } from '@license-activation/contract/catalog-schema';
import type { Table } from '../platform/dynamodb.js';
import { retry, retryOnContention } from '../data/contention.js';
import {
  appliedContributions,
  changeResellers,
  customerScope,
  resellersOfCustomer,
  resellersUnchanged,
  resellerScope,
  scopeChange,
  sourcesOfScope,
  sourceUnchanged,
  unchanged,
  vendorScope,
} from '../data/insights.js';
import type { AppliedContribution, Contribution } from '../data/insights.js';
import { getInstallationDay, installationDayChange } from '../data/usage.js';
import type { InstallationDay } from '../data/usage.js';
import type { InstallationRecord } from '../data/installations.js';
import { transactWrite } from '../data/transactions.js';
import { dayOf } from './calendar.js';
import { newestTokenDecision } from './sources.js';
import type { SourceContribution } from './sources.js';

/**
 * Applies what the change stream says to the figures, state by state: each source's contribution
 * replaces what it added before, scope by scope, in one transaction per scope conditioned on what was
 * read. A record applied twice, or an older one after a newer, changes nothing (installations carry
 * their revision; licenses and activations are applied as they are, so a replay is undone by the records
 * after it, which the stream always delivers again too).
 */

export interface InsightsDeps {
  readonly table: Table;
  readonly catalog: Catalog;
}

const stripCustomer = ({ counters, overSeats, rev }: SourceContribution): Contribution => ({
  counters,
  ...(overSeats ? { overSeats } : {}),
  ...(rev !== undefined ? { rev } : {}),
});

/** Whether a stored contribution already reflects a revision at least as new. */
const alreadyApplied = (stored: AppliedContribution | undefined, next: Contribution | undefined) =>
  next?.rev !== undefined && stored?.rev !== undefined && stored.rev >= next.rev;

/**
 * Brings every scope of a source to `next` (undefined: the source is gone and adds nothing), for the
 * customer it belongs to: the vendor's scope, and for a customer's source its own and each of its
 * resellers' (read, and re-checked in each transaction: a change of resellers meanwhile starts over).
 */
export async function applySource(table: Table, source: string, customerId: string | undefined, next: SourceContribution | undefined): Promise<void> {
  const contribution = next && stripCustomer(next);
  await retryOnContention(async () => {
    const resellers = customerId === undefined ? undefined : await resellersOfCustomer(table, customerId);
    const scopes = [vendorScope, ...(customerId === undefined ? [] : [customerScope(customerId), ...(resellers?.resellerIds ?? []).map(resellerScope)])];
    const applied = await appliedContributions(table, source, scopes);
    for (const scope of scopes) {
      const stored = applied.get(scope);
      if (alreadyApplied(stored, contribution) || unchanged(stored, contribution)) continue;
      const guard = customerId !== undefined && resellers && scope !== vendorScope ? [resellersUnchanged(table, customerId, resellers.ver)] : [];
      const outcome = await transactWrite(table, [...scopeChange(table, scope, source, stored, contribution), ...guard]);
      if (!outcome.ok) return retry;
    }
    return true;
  });
}

/**
 * An association added or removed: the reseller's scope takes in, or gives back, everything the
 * customer's scope counts, source by source (each copied as the customer's scope holds it, conditioned
 * on both the customer's resellers and that source being unchanged since read).
 */
export async function applyAssociation(table: Table, resellerId: string, customerId: string, change: 'add' | 'remove'): Promise<void> {
  await changeResellers(table, customerId, resellerId, change);
  const fromScope = customerScope(customerId);
  const toScope = resellerScope(resellerId);
  let after: Record<string, unknown> | undefined;
  do {
    const page = await sourcesOfScope(table, fromScope, after);
    for (const { source } of page.sources) {
      await retryOnContention(async () => {
        const resellers = await resellersOfCustomer(table, customerId);
        const applied = await appliedContributions(table, source, [fromScope, toScope]);
        const counted = applied.get(fromScope);
        const stored = applied.get(toScope);
        const target = counted && resellers.resellerIds.includes(resellerId) ? stripCustomer(counted) : undefined;
        if (unchanged(stored, target)) return true;
        const outcome = await transactWrite(table, [
          ...scopeChange(table, toScope, source, stored, target),
          resellersUnchanged(table, customerId, resellers.ver),
          sourceUnchanged(table, fromScope, source, counted?.ver),
        ]);
        return outcome.ok ? true : retry;
      });
    }
    after = page.next;
  } while (after);
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();

/**
 * The installation's day after this change of it: seen (with the licenses it holds), one heartbeat
 * more when it reports a new one that day, its peak, the seats its newest token granted.
 */
export function nextInstallationDay(catalog: Catalog, installation: InstallationRecord, stored: InstallationDay | undefined): InstallationDay {
  const date = dayOf(installation.lastSeenAt);
  const report = installation.usage;
  const newReport =
    report !== undefined && dayOf(report.reportedAt) === date && (stored?.lastReportedAt === undefined || report.reportedAt > stored.lastReportedAt) ? report : undefined;
  const lastReportedAt = newReport?.reportedAt ?? stored?.lastReportedAt;
  return {
    date,
    heartbeats: (stored?.heartbeats ?? 0) + (newReport ? 1 : 0),
    activeUsersPeak: Math.max(stored?.activeUsersPeak ?? 0, newReport?.activeUsers ?? 0),
    seatsLicensed: newestTokenDecision(catalog, installation).seats,
    licenseIds: union(stored?.licenseIds ?? [], Object.keys(installation.licenses)),
    rev: installation.rev,
    ...(lastReportedAt !== undefined ? { lastReportedAt } : {}),
  };
}

const sameDay = (a: InstallationDay, b: InstallationDay) => JSON.stringify({ ...a, rev: 0 }) === JSON.stringify({ ...b, rev: 0 });

/** Records an installation's change in its usage history, and in that of the licenses it held that day. */
export async function applyInstallationDay(deps: InsightsDeps, installation: InstallationRecord): Promise<void> {
  await retryOnContention(async () => {
    const stored = await getInstallationDay(deps.table, installation.id, dayOf(installation.lastSeenAt));
    if (stored && stored.rev >= installation.rev) return true;
    const next = nextInstallationDay(deps.catalog, installation, stored);
    if (stored && sameDay(stored, next)) return true;
    const outcome = await transactWrite(deps.table, installationDayChange(deps.table, installation.id, stored, next));
    return outcome.ok ? true : retry;
  });
}
