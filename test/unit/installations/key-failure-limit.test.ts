import { describe, expect, it } from 'vitest';
import { keyAttemptAllowed, nextFailure } from '#lib/installations/key-failure-limit.js';

const now = new Date('2026-06-01T12:00:00Z');
const secondsAgo = (seconds: number) => now.getTime() - seconds * 1000;

describe('keyAttemptAllowed', () => {
  it('allows a key attempt after nine failures in the window', () => {
    expect(keyAttemptAllowed(Array.from({ length: 9 }, (_, index) => secondsAgo(index * 10)), now)).toEqual({ allowed: true });
  });

  it('refuses the eleventh attempt after ten failures, until the oldest leaves the window', () => {
    const failures = Array.from({ length: 10 }, (_, index) => secondsAgo(100 + index * 10));
    expect(keyAttemptAllowed(failures, now)).toEqual({ allowed: false, retryAfterSeconds: 600 - 190 });
  });

  it('forgets failures older than ten minutes', () => {
    const failures = [...Array.from({ length: 5 }, () => secondsAgo(601)), ...Array.from({ length: 9 }, () => secondsAgo(30))];
    expect(keyAttemptAllowed(failures, now)).toEqual({ allowed: true });
  });

  it('counts from the tenth most recent failure when more than ten are recorded', () => {
    const failures = [secondsAgo(500), ...Array.from({ length: 10 }, () => secondsAgo(60))];
    expect(keyAttemptAllowed(failures, now)).toEqual({ allowed: false, retryAfterSeconds: 540 });
  });

  it('never asks to retry in less than a second', () => {
    const failures = Array.from({ length: 10 }, () => secondsAgo(599.9));
    expect(keyAttemptAllowed(failures, now)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});

describe('nextFailure', () => {
  it('forgets only the failures that left the window, not one a concurrent request dated after now', () => {
    const failures = { old: secondsAgo(601), recent: secondsAgo(30), concurrent: now.getTime() + 15 };
    expect(nextFailure(failures, now)).toMatchObject({ at: now.getTime(), expired: ['old'] });
  });
});
