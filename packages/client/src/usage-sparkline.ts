import type { InstallationUsageDay } from '@license-activation/contract/schemas';

/** Eight heights, lowest first: a day without users is the lowest. */
const bars = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of `values`, one character per value, scaled to the largest: `▁▁▃▁▁▆█` for 0 0 2 0 0 4 6.
 * Only 0 is the lowest bar, so a day with a single user never looks like a day without any.
 */
export function sparkline(values: readonly number[]): string {
  const top = Math.max(0, ...values);
  const height = (value: number) => (value <= 0 ? 0 : Math.max(1, Math.round((value / top) * (bars.length - 1))));
  return values.map((value) => bars[height(value)]).join('');
}

/** The days `status --usage` shows: the last 7, today (UTC) included. */
export const usageDaysShown = 7;

/** The UTC days from `days - 1` days before `now` to `now`'s, as the service's usage routes take them. */
export function lastDays(now: Date, days: number): { from: string; to: string } {
  const day = (offset: number) => new Date(now.getTime() - offset * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  return { from: day(days - 1), to: day(0) };
}

/** `▁▁▃▁▁▅█  peak 6 active users (2026-03-04), 12 heartbeats`: what an installation's days looked like. */
export function usageLine(days: readonly InstallationUsageDay[]): string {
  const peak = days.reduce<InstallationUsageDay | undefined>((best, day) => (best === undefined || day.activeUsersPeak > best.activeUsersPeak ? day : best), undefined);
  const heartbeats = days.reduce((sum, day) => sum + day.heartbeats, 0);
  const peakWords = peak && peak.activeUsersPeak > 0 ? `peak ${peak.activeUsersPeak} active user${peak.activeUsersPeak === 1 ? '' : 's'} (${peak.date})` : 'no active users reported';
  return `${sparkline(days.map((day) => day.activeUsersPeak))}  ${peakWords}, ${heartbeats} heartbeat${heartbeats === 1 ? '' : 's'}`;
}
