import { describe, expect, it } from 'vitest';
import { freeFailureSlots, keyAttemptAllowed, maxKeyFailures } from '#lib/installations/key-failure-limit.js';

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

describe('freeFailureSlots', () => {
  const slots = (...ats: number[]) => new Map(ats.map((at, slot) => [slot, { at, id: `f${slot}` }]));

  it('offers every slot while none is used', () => {
    expect(freeFailureSlots(new Map(), now)).toEqual(Array.from({ length: maxKeyFailures }, (_, slot) => slot));
  });

  it('offers the empty slots and those whose failure left the window, never one still in it', () => {
    expect(freeFailureSlots(slots(secondsAgo(600), secondsAgo(599), secondsAgo(1), secondsAgo(601)), now)).toEqual([0, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('treats a failure timed a little after this request (another clock) as in use', () => {
    expect(freeFailureSlots(slots(now.getTime() + 5), now)).not.toContain(0);
  });

  it('offers none once every slot holds a failure of the window', () => {
    expect(freeFailureSlots(slots(...Array.from({ length: maxKeyFailures }, (_, index) => secondsAgo(index))), now)).toEqual([]);
  });
});
