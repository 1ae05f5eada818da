import { describe, expect, it, vi } from 'vitest';
import { LicenseClientError, LicenseNetworkError } from '../../../packages/client/src/errors.js';
import { backoffDelayMs, heartbeatDelayMs, maxHeartbeatIntervalMs, maxHeartbeatJitterMs, minHeartbeatIntervalMs, startHeartbeatLoop } from '../../../packages/client/src/heartbeat-loop.js';
import type { HeartbeatLoopOptions, HeartbeatTarget, Scheduler } from '../../../packages/client/src/heartbeat-loop.js';
import { now } from './client-fixtures.js';

interface Timer {
  readonly callback: () => void;
  readonly delayMs: number;
}

/** Timers the test fires one by one, moving the clock forward by each one's delay. */
class ManualTimers implements Scheduler {
  private pending: Timer[] = [];
  time = now.getTime();

  readonly clock = () => new Date(this.time);

  setTimeout(callback: () => void, delayMs: number): Timer {
    const timer = { callback, delayMs };
    this.pending.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer !== handle);
  }

  get scheduled(): number {
    return this.pending.length;
  }

  /** The delay of the next timer, once the loop has set one. */
  async nextDelay(): Promise<number> {
    await vi.waitFor(() => expect(this.pending).toHaveLength(1), { interval: 1 });
    return this.pending[0]?.delayMs ?? Number.NaN;
  }

  /** Fires the pending timer, moving the clock to it. */
  trigger(): void {
    const timer = this.pending.shift();
    if (!timer) throw new Error('no timer is pending');
    this.time += timer.delayMs;
    timer.callback();
  }

  /** Fires the pending timer and returns the delay the loop sets next. */
  async fire(): Promise<number> {
    this.trigger();
    return this.nextDelay();
  }
}

const hour = 60 * 60 * 1000;
const day = 24 * hour;

function run(target: HeartbeatTarget, options: Partial<HeartbeatLoopOptions> = {}) {
  const timers = new ManualTimers();
  const loop = startHeartbeatLoop(target, { activeUsers: () => 7, scheduler: timers, random: () => 0.5, ...options }, timers.clock);
  return { timers, loop };
}

/** A target whose token asks for a refresh `refreshInMs` after each successful heartbeat. */
function targetRefreshingEvery(refreshInMs: number, heartbeat: HeartbeatTarget['heartbeat']): HeartbeatTarget {
  let due = now.getTime() + refreshInMs;
  return {
    refreshDue: async () => ({ at: new Date(due), intervalMs: refreshInMs }),
    heartbeat: async (usage) => {
      const answer = await heartbeat(usage);
      due += refreshInMs;
      return answer;
    },
  };
}

describe('backoffDelayMs', () => {
  it.each([
    [1, 0, 15_000],
    [1, 0.999, 29_985],
    [2, 0.5, 45_000],
    [3, 0, 60_000],
    [20, 0.5, 2_700_000],
  ])('after failure %i with jitter %d waits %d ms (30 s doubling, capped at 1 hour)', (attempt, random, expected) => {
    expect(backoffDelayMs(new LicenseNetworkError('offline', undefined), attempt, {}, () => random)).toBeCloseTo(expected, 0);
  });

  it('obeys Retry-After as given, without jitter', () => {
    const rateLimited = new LicenseClientError('RATE_LIMITED', 'too many failed attempts', { status: 429, retryAfterSeconds: 120 });

    expect(backoffDelayMs(rateLimited, 1, {}, () => 0.9)).toBe(120_000);
  });

  it('waits at most a day whatever Retry-After says', () => {
    const unavailable = new LicenseClientError('UNAVAILABLE', 'try later', { status: 503, retryAfterSeconds: 10 * 24 * 3600 });

    expect(backoffDelayMs(unavailable, 1, {}, () => 0)).toBe(maxHeartbeatIntervalMs);
  });
});

describe('startHeartbeatLoop', () => {
  it('heartbeats when the token asks for it plus its jitter, reporting the active users, then follows the new token', async () => {
    const heartbeat = vi.fn(async () => undefined);
    const { timers, loop } = run(targetRefreshingEvery(6 * hour, heartbeat));

    // Due in 6 hours, plus half (random 0.5) of a tenth of the 6-hour interval.
    expect(await timers.nextDelay()).toBe(6.3 * hour);
    // The next token is due 6 hours after the first: 5.7 hours from the heartbeat, plus the jitter.
    expect(await timers.fire()).toBe(6 * hour);
    expect(heartbeat).toHaveBeenCalledWith({ activeUsers: 7 });
    await loop.stop();
  });

  it('heartbeats at once when no valid token says when', async () => {
    const { timers, loop } = run({ refreshDue: async () => undefined, heartbeat: async () => undefined });

    expect(await timers.nextDelay()).toBe(0);
    await loop.stop();
  });

  it('leaves at least a minute between heartbeats when the token asks for a refresh already', async () => {
    const { timers, loop } = run({ refreshDue: async () => ({ at: new Date(now.getTime() - hour), intervalMs: day }), heartbeat: async () => undefined }, { random: () => 0 });

    expect(await timers.nextDelay()).toBe(0);
    expect(await timers.fire()).toBe(minHeartbeatIntervalMs);
    await loop.stop();
  });

  it('spreads installations that start after an outage with their refresh already due over a tenth of their interval', async () => {
    const { timers, loop } = run({ refreshDue: async () => ({ at: new Date(now.getTime() - hour), intervalMs: day }), heartbeat: async () => undefined }, { random: () => 0.25 });

    expect(await timers.nextDelay()).toBe(0.025 * day);
    await loop.stop();
  });

  it('waits at most a day and its jitter, even for a license file that asks for its refresh a year away', async () => {
    const { timers, loop } = run({ refreshDue: async () => ({ at: new Date(now.getTime() + 365 * day), intervalMs: 365 * day }), heartbeat: async () => undefined }, { random: () => 0.999 });

    expect(await timers.nextDelay()).toBe(day + 0.999 * maxHeartbeatJitterMs);
    await loop.stop();
  });

  it('retries failures with jittered exponential backoff up to its cap, and reports each one', async () => {
    // Prepare
    const onError = vi.fn();
    const failure = new LicenseNetworkError('connection refused', undefined);
    const { timers, loop } = run(targetRefreshingEvery(hour, async () => Promise.reject(failure)), { onError, backoff: { initialDelayMs: 1_000, maxDelayMs: 8_000 } });
    await timers.nextDelay();

    // Act
    const delays = [await timers.fire(), await timers.fire(), await timers.fire(), await timers.fire(), await timers.fire()];

    // Assess
    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 6_000]);
    expect(onError.mock.calls.map(([error, retry]) => [error, retry])).toEqual([
      [failure, { attempt: 1, delayMs: 750 }],
      [failure, { attempt: 2, delayMs: 1_500 }],
      [failure, { attempt: 3, delayMs: 3_000 }],
      [failure, { attempt: 4, delayMs: 6_000 }],
      [failure, { attempt: 5, delayMs: 6_000 }],
    ]);
    await loop.stop();
  });

  it('honours Retry-After on 429 and 503', async () => {
    const failures = [
      new LicenseClientError('RATE_LIMITED', 'too many failed attempts', { status: 429, retryAfterSeconds: 600 }),
      new LicenseClientError('UNAVAILABLE', 'a dependency is unavailable', { status: 503, retryAfterSeconds: 2 }),
    ];
    const { timers, loop } = run(targetRefreshingEvery(hour, async () => Promise.reject(failures.shift())));
    await timers.nextDelay();

    expect([await timers.fire(), await timers.fire()]).toEqual([600_000, 2_000]);
    await loop.stop();
  });

  it('starts the backoff over after a success', async () => {
    const outcomes = [false, false, true, false];
    const { timers, loop } = run(
      targetRefreshingEvery(hour, async () => {
        if (!outcomes.shift()) throw new LicenseNetworkError('offline', undefined);
      }),
      { backoff: { initialDelayMs: 1_000 } },
    );
    await timers.nextDelay();

    const delays = [await timers.fire(), await timers.fire(), await timers.fire(), await timers.fire()];

    expect(delays[0]).toBe(750);
    expect(delays[1]).toBe(1_500);
    expect(delays[2]).toBeGreaterThanOrEqual(minHeartbeatIntervalMs);
    expect(delays[3]).toBe(750);
    await loop.stop();
  });

  it('never throws into the host: a failing activeUsers, onError or onHeartbeat only delays the next try', async () => {
    const heartbeat = vi.fn(async () => undefined);
    const activeUsers = vi.fn().mockImplementationOnce(() => {
      throw new Error('session store down');
    }).mockReturnValue(3);
    const { timers, loop } = run(targetRefreshingEvery(hour, heartbeat), {
      activeUsers,
      onError: () => {
        throw new Error('logger down');
      },
      onHeartbeat: () => {
        throw new Error('metrics down');
      },
    });
    await timers.nextDelay();

    expect(await timers.fire()).toBe(22_500);
    expect(await timers.fire()).toBeGreaterThanOrEqual(minHeartbeatIntervalMs);
    expect(heartbeat).toHaveBeenCalledOnce();
    expect(heartbeat).toHaveBeenCalledWith({ activeUsers: 3 });
    await loop.stop();
  });

  it('stops: cancels the next heartbeat and waits for the one in flight', async () => {
    let finish = () => {};
    const heartbeat = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { timers, loop } = run(targetRefreshingEvery(hour, heartbeat));
    await timers.nextDelay();
    timers.trigger();
    await vi.waitFor(() => expect(heartbeat).toHaveBeenCalledOnce());

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;

    expect(timers.scheduled).toBe(0);
  });
});

describe('heartbeatDelayMs (the jitter)', () => {
  const at = (ms: number) => new Date(now.getTime() + ms);

  it.each<[string, number, number, number, number, number]>([
    // case, due in, interval, minimum, random, expected
    ['a daily token, no jitter drawn', day, day, 0, 0, day],
    ['a daily token, the largest jitter: a tenth of a day', day, day, 0, 0.999_999, day + 0.099_999_9 * day],
    ['an hourly token: at most 6 minutes later', hour, hour, 0, 0.999_999, hour + 0.099_999_9 * hour],
    ['a 7-day token: due in a day at most, jitter of a tenth of a day at most', 7 * day, 7 * day, 0, 0.5, day + 0.05 * day],
    ['due already: the minimum, plus the jitter', -hour, day, minHeartbeatIntervalMs, 0.5, minHeartbeatIntervalMs + 0.05 * day],
  ])('%s', (_case, dueInMs, intervalMs, minimumMs, random, expected) => {
    expect(heartbeatDelayMs({ at: at(dueInMs), intervalMs }, now.getTime(), minimumMs, () => random)).toBeCloseTo(expected, 3);
  });

  it('stays between the due time and a tenth of the interval after it, whatever the draw', () => {
    for (let draw = 0; draw < 1; draw += 0.01) {
      const delay = heartbeatDelayMs({ at: at(day), intervalMs: day }, now.getTime(), 0, () => draw);
      expect(delay).toBeGreaterThanOrEqual(day);
      expect(delay).toBeLessThan(day + day / 10);
    }
  });
});
