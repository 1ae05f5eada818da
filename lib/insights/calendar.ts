/**
 * Whole UTC days, as usage history and insights count them: a day is `YYYY-MM-DD`, and ISO weeks are
 * `2026-W49` (weeks start on Monday; week 1 holds the year's first Thursday).
 */

export type Day = string;

const dayMs = 24 * 60 * 60 * 1000;

/** The UTC day an instant falls on. */
export const dayOf = (instant: Date | string | number): Day => new Date(instant).toISOString().slice(0, 10);

/** Midnight UTC at the start of the day, in epoch ms. */
export const startOfDay = (day: Day): number => Date.parse(`${day}T00:00:00Z`);

export const addDays = (day: Day, days: number): Day => dayOf(startOfDay(day) + days * dayMs);

/** Whole days from `from` to `to` (negative when `to` comes first). */
export const daysFrom = (from: Day, to: Day): number => Math.round((startOfDay(to) - startOfDay(from)) / dayMs);

/** Every day from `from` to `to`, both included, oldest first. */
export function daysOf(from: Day, to: Day): Day[] {
  const count = daysFrom(from, to) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, index) => addDays(from, index));
}

/** The Monday of the ISO week `day` falls in. */
export function mondayOf(day: Day): Day {
  const weekday = (new Date(startOfDay(day)).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** The ISO week `day` falls in, as `2026-W49`. */
export function isoWeekOf(day: Day): string {
  // The week's Thursday decides its year.
  const thursday = addDays(mondayOf(day), 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor(daysFrom(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
