import { problem } from '@license-activation/contract/problem';
import type { InstallationUsageDay, LicenseUsageDay, UsageQuery } from '@license-activation/contract/schemas';
import type { Table } from '../platform/dynamodb.js';
import type { InstallationPrincipal } from '../auth/principal.js';
import type { InstallationRecord } from '../data/installations.js';
import type { LicenseRecord } from '../data/licenses.js';
import { spendProofAlone } from '../data/proofs.js';
import { installationDayBefore, installationDays, licenseDays, licenseStatusChanges } from '../data/usage.js';
import type { LicenseStatusChange } from '../data/usage.js';
import { addDays, dayOf, daysFrom, daysOf, startOfDay } from './calendar.js';
import type { Day } from './calendar.js';

/** The longest range one request reads, both ends included. */
export const maxUsageDays = 366;
/** The range without `from` or `to`: the 90 days up to today. */
export const defaultUsageDays = 90;

/**
 * The range a usage query asks for (API.md §11): by default the 90 days up to today; `from` alone runs
 * to today, `to` alone starts 89 days before it. `to` before `from`, or more than 366 days, is 400.
 */
export function usageRange(query: UsageQuery, now: Date): { from: Day; to: Day } {
  const to = query.to ?? dayOf(now);
  const from = query.from ?? addDays(to, 1 - defaultUsageDays);
  const days = daysFrom(from, to) + 1;
  const invalid = (message: string) => problem('VALIDATION_FAILED', 'the query string is not valid', { errors: [{ path: query.to ? 'to' : 'from', message }] });
  if (days < 1) throw invalid(query.to ? `must not be before from (${from})` : `must not be after today (${to})`);
  if (days > maxUsageDays) throw invalid(`at most ${maxUsageDays} days from from to to, both included (${from} to ${to} is ${days})`);
  return { from, to };
}

const dayEndOf = (day: Day) => startOfDay(addDays(day, 1));

/**
 * The periods a license was active (granted its seats), in epoch ms: from its issue, through its status
 * changes, until it expires. Without any recorded change, its stored status stands for its whole life.
 */
function activePeriods(license: LicenseRecord, changes: readonly LicenseStatusChange[]): Array<[number, number]> {
  const end = license.expiresAt === undefined ? Infinity : Date.parse(license.expiresAt);
  const steps = changes.length > 0 ? changes : [{ at: license.createdAt, status: license.status }];
  const periods: Array<[number, number]> = [];
  steps.forEach((step, index) => {
    if (step.status !== 'active') return;
    const from = Math.max(Date.parse(step.at), Date.parse(license.createdAt));
    const to = Math.min(index + 1 < steps.length ? Date.parse(steps[index + 1]?.at ?? '') : Infinity, end);
    if (from < to) periods.push([from, to]);
  });
  return periods;
}

/**
 * `GET /v1/licenses/{id}/usage`: every day of the range, oldest first, zeros where nothing was seen.
 * `license`: as its route's access decision read it (whoever may read the license).
 */
export async function readLicenseUsage(table: Table, request: { license: LicenseRecord; query: UsageQuery; now: Date }): Promise<{ items: LicenseUsageDay[] }> {
  const { license } = request;
  const { from, to } = usageRange(request.query, request.now);
  const [seen, changes] = await Promise.all([licenseDays(table, license.id, from, to), licenseStatusChanges(table, license.id)]);
  const byDate = new Map(seen.map((day) => [day.date, day]));
  const periods = activePeriods(license, changes);
  return {
    items: daysOf(from, to).map((date) => {
      const granted = periods.some(([start, end]) => start < dayEndOf(date) && end > startOfDay(date));
      return {
        date,
        installationsSeen: byDate.get(date)?.installationsSeen ?? 0,
        activeUsersPeak: byDate.get(date)?.activeUsersPeak ?? 0,
        seatsLicensed: granted ? license.quantity : 0,
      };
    }),
  };
}

/**
 * `GET /v1/installations/{id}/usage`: every day of the range, oldest first. A day it was not seen has
 * no heartbeat and no report, and the seats of the token it held: those of the last day it was seen.
 * `installation`: as its route's access decision read it (itself, by `proof`, or an account that sees it).
 */
export async function readInstallationUsage(
  table: Table,
  request: { installation: InstallationRecord; proof?: InstallationPrincipal; query: UsageQuery; now: Date },
): Promise<{ items: InstallationUsageDay[] }> {
  const { installation, proof, now } = request;
  const { from, to } = usageRange(request.query, now);
  const [seen, previous] = await Promise.all([
    installationDays(table, installation.id, from, to),
    installationDayBefore(table, installation.id, from),
    // The installation's own read spends its proof like every request it makes (API.md §2), into the item its access decision read.
    proof && spendProofAlone(table, { kind: 'dpop', installation: proof }, now, { installation }),
  ]);
  const byDate = new Map(seen.map((day) => [day.date, day]));
  let seats = previous?.seatsLicensed ?? 0;
  return {
    items: daysOf(from, to).map((date) => {
      const day = byDate.get(date);
      if (day) seats = day.seatsLicensed;
      return { date, heartbeats: day?.heartbeats ?? 0, activeUsersPeak: day?.activeUsersPeak ?? 0, seatsLicensed: seats };
    }),
  };
}
