import type { Insights } from '@license-activation/contract/schemas';
import type { OverSeat, ScopeCounters } from '../data/insights.js';
import { addDays, dayOf, isoWeekOf, mondayOf } from './calendar.js';
import type { Day } from './calendar.js';
import { counters, dated } from './sources.js';

/** How many ISO weeks `weekly` holds, the current one last. */
export const weeksShown = 12;

/** The days a scope's counters must be read for to answer at `asOf`: the oldest week shown to 30 days ahead. */
export function insightsSpan(asOf: string): { from: Day; to: Day } {
  const today = dayOf(asOf);
  const firstMonday = addDays(mondayOf(today), -7 * (weeksShown - 1));
  const monthAgo = addDays(today, -29);
  return { from: firstMonday < monthAgo ? firstMonday : monthAgo, to: addDays(today, 30) };
}

/**
 * A scope's insights at `asOf` (pure): totals as counted, and each window summed from the dated
 * counters in whole UTC days counted back (or ahead) from `asOf`'s day, today included.
 */
export function insightsView(input: {
  readonly asOf: string;
  readonly counted: ScopeCounters;
  readonly overSeats: readonly OverSeat[];
  readonly productIds: readonly string[];
  /** Ops' scope: trials belong to no customer, and show only there. */
  readonly vendor: boolean;
}): Insights {
  const { counted, productIds } = input;
  const today = dayOf(input.asOf);
  const total = (name: string) => counted.totals[name] ?? 0;
  const before = (family: string, field: string, day: Day) => counted.countBefore(family, field, day);
  /** From `from` to `to`, both included. */
  const during = (family: string, field: string, from: Day, to: Day) => before(family, field, addDays(to, 1)) - before(family, field, from);
  const lastDays = (family: string, field: string, days: number) => during(family, field, addDays(today, 1 - days), today);
  const sum = (of: (productId: string) => number) => productIds.reduce((all, productId) => all + of(productId), 0);

  const expiredLicenses = (productId: string) => before(dated.expiry, `licenses:${productId}`, today);
  const activeLicenses = (productId: string) => total(counters.licenses('active', productId)) - expiredLicenses(productId);
  const licensedSeats = (productId: string) => total(counters.seats(productId)) - before(dated.expiry, `seats:${productId}`, today);
  const limited = Object.fromEntries(
    Object.entries(counted.totals)
      .filter(([name, count]) => name.startsWith(counters.limited('')) && count > 0)
      .map(([name, count]) => [name.slice(counters.limited('').length), count]),
  );
  const weekly = Array.from({ length: weeksShown }, (_, index) => {
    const monday = addDays(mondayOf(today), -7 * (weeksShown - 1 - index));
    const sunday = addDays(monday, 6);
    return {
      week: isoWeekOf(monday),
      activations: during(dated.activation, 'n', monday, sunday),
      trialsStarted: input.vendor ? during(dated.trialStart, 'n', monday, sunday) : 0,
      trialsConverted: input.vendor ? during(dated.trialConversion, 'n', monday, sunday) : 0,
    };
  });
  return {
    asOf: input.asOf,
    licenses: {
      active: sum(activeLicenses),
      suspended: sum((productId) => total(counters.licenses('suspended', productId))),
      revoked: sum((productId) => total(counters.licenses('revoked', productId))),
      expired: sum(expiredLicenses),
      expiringWithin30Days: sum((productId) => during(dated.expiry, `licenses:${productId}`, today, addDays(today, 29))),
    },
    installations: {
      total: sum((productId) => total(counters.installations(productId))),
      seenWithin7Days: lastDays(dated.seen, 'n', 7),
      seenWithin30Days: lastDays(dated.seen, 'n', 30),
      lapsed: before(dated.lapse, 'n', today),
      limited,
      clonesDetected: total(counters.clones),
    },
    ...(input.vendor
      ? {
          trials: {
            active: total(counters.trialsRunning) - before(dated.trialEnd, 'n', today),
            startedWithin30Days: lastDays(dated.trialStart, 'n', 30),
            convertedWithin30Days: lastDays(dated.trialConversion, 'n', 30),
          },
        }
      : {}),
    seats: { licensed: sum(licensedSeats), used: lastDays(dated.seen, 'users', 30) },
    overSeats: input.overSeats.map((over) => ({ ...over, licenseIds: [...over.licenseIds] })),
    weekly,
    byProduct: productIds.map((productId) => ({
      productId,
      licenses: activeLicenses(productId),
      installations: total(counters.installations(productId)),
      seats: licensedSeats(productId),
    })),
  };
}
