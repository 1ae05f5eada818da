import { describe, expect, it } from 'vitest';
import { lastDays, sparkline, usageLine } from '../../../packages/client/src/usage-sparkline.js';

describe('usage sparkline', () => {
  it.each([
    [[0, 0, 2, 0, 0, 4, 6], '▁▁▃▁▁▆█'],
    [[0, 0, 0], '▁▁▁'],
    [[5], '█'],
    [[1, 8], '▂█'],
    [[1, 100], '▂█'],
    [[], ''],
  ])('draws %j as %s', (values, drawn) => {
    expect(sparkline(values)).toBe(drawn);
  });

  it('says the peak and its day, and the heartbeats, under the line', () => {
    const day = (date: string, activeUsersPeak: number, heartbeats: number) => ({ date, activeUsersPeak, heartbeats, seatsLicensed: 5 });
    expect(usageLine([day('2026-03-02', 1, 3), day('2026-03-03', 0, 0), day('2026-03-04', 3, 9)])).toBe('▃▁█  peak 3 active users (2026-03-04), 12 heartbeats');
    expect(usageLine([day('2026-03-04', 0, 1)])).toBe('▁  no active users reported, 1 heartbeat');
  });

  it('asks for the last days up to today in UTC, across a month', () => {
    expect(lastDays(new Date('2026-03-02T23:30:00Z'), 7)).toEqual({ from: '2026-02-24', to: '2026-03-02' });
  });
});
