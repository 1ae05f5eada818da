import { customerScope, resellerScope, scopeItems, vendorScope } from '../data/insights.js';
import type { Contribution } from '../data/insights.js';
import { keys, partitions } from '../data/keys.js';
import { scanTable, writeItems } from '../data/table-scan.js';
import { asInstallationDay, licenseDayItem, statusHistoryItem } from '../data/usage.js';
import type { LicenseDay, LicenseStatusChange } from '../data/usage.js';
import type { InsightsDeps } from './apply-changes.js';
import { sourceItemOf } from './source-items.js';
import { activationContribution, installationContribution, licenseContribution, sourceKeys } from './sources.js';
import type { SourceContribution } from './sources.js';

/**
 * Recomputes every figure from the table (`npm run insights:rebuild`): each source's contribution,
 * summed into the scopes it counts in, and each license's days from its installations' days (the
 * installations' days are history itself: kept, not recomputed). What the stream consumer keeps
 * incrementally must equal this; a test proves it on randomized histories. Run it while the consumer
 * is stopped: the figures are replaced, not merged. It holds the table's sources in memory.
 */
export async function rebuildInsights(deps: InsightsDeps): Promise<{ sources: number; scopes: number; licenseDays: number; replaced: number }> {
  const contributions = new Map<string, SourceContribution>();
  const resellersOf = new Map<string, Set<string>>();
  const licenseDays = new Map<string, Map<string, LicenseDay>>();
  const statusChanges = new Map<string, Map<string, LicenseStatusChange>>();
  const derived: { pk: string; sk: string }[] = [];

  await scanTable(deps.table, (item) => {
    const pk = String(item.pk);
    if ((pk.startsWith(partitions.insights) && pk !== keys.insightsClock) || pk.startsWith(keys.licenseStatusHistory('').pk)) {
      derived.push({ pk, sk: String(item.sk) });
      return;
    }
    const day = asInstallationDay(item);
    if (day) {
      for (const licenseId of day.licenseIds) {
        const days = licenseDays.get(licenseId) ?? new Map<string, LicenseDay>();
        const counted = days.get(day.date) ?? { date: day.date, installationsSeen: 0, activeUsersPeak: 0 };
        days.set(day.date, { ...counted, installationsSeen: counted.installationsSeen + 1, activeUsersPeak: counted.activeUsersPeak + day.activeUsersPeak });
        licenseDays.set(licenseId, days);
      }
      return;
    }
    const source = sourceItemOf(item);
    switch (source?.kind) {
      case 'installation':
        contributions.set(sourceKeys.installation(source.installation.id), installationContribution(deps.catalog, source.installation));
        break;
      case 'license':
        contributions.set(sourceKeys.license(source.license.id), licenseContribution(source.license));
        break;
      case 'activation':
        contributions.set(sourceKeys.activation(source.event.id), activationContribution(source.event));
        break;
      case 'status-change':
        statusChanges.set(source.licenseId, (statusChanges.get(source.licenseId) ?? new Map()).set(source.eventId, source.change));
        break;
      case 'association':
        resellersOf.set(source.customerId, (resellersOf.get(source.customerId) ?? new Set()).add(source.resellerId));
        break;
    }
  });

  const scopes = new Map<string, { counters: Record<string, number>; sources: Map<string, Contribution>; resellerIds?: string[] }>();
  const scopeOf = (scope: string) => {
    const content = scopes.get(scope) ?? { counters: {}, sources: new Map<string, Contribution>() };
    scopes.set(scope, content);
    return content;
  };
  for (const [customerId, resellerIds] of resellersOf) scopeOf(customerScope(customerId)).resellerIds = [...resellerIds].sort();
  for (const [source, { customerId, ...contribution }] of contributions) {
    const counted = [vendorScope, ...(customerId === undefined ? [] : [customerScope(customerId), ...[...(resellersOf.get(customerId) ?? [])].map(resellerScope)])];
    for (const scope of counted) {
      const content = scopeOf(scope);
      for (const [name, count] of Object.entries(contribution.counters)) content.counters[name] = (content.counters[name] ?? 0) + count;
      content.sources.set(source, contribution);
    }
  }

  const puts = [
    ...[...scopes].flatMap(([scope, content]) => scopeItems(scope, content)),
    ...[...licenseDays].flatMap(([licenseId, days]) => [...days.values()].map((day) => licenseDayItem(licenseId, day))),
    ...[...statusChanges].map(([licenseId, changes]) => statusHistoryItem(licenseId, changes)),
  ];
  await writeItems(deps.table, { deletes: derived });
  await writeItems(deps.table, { puts });
  return { sources: contributions.size, scopes: scopes.size, licenseDays: [...licenseDays.values()].reduce((sum, days) => sum + days.size, 0), replaced: derived.length };
}
