import { setTimeout as sleep } from 'node:timers/promises';
import { problem } from '@license-activation/contract/problem';

/** What an attempt returns when another request changed the same items first. */
export const retry = Symbol('retry');

/** The data layer's one retry policy: how many tries, and full-jitter exponential backoff between them. */
export const retryAttempts = 6;
export const backoff = (round: number): Promise<void> => sleep(Math.random() * 10 * 2 ** round);

/**
 * Runs an optimistic read-decide-write attempt until it does not meet contention, with jittered
 * exponential backoff. Persistent contention is 503 UNAVAILABLE, never 409 (the contract's rule).
 */
export async function retryOnContention<T>(attempt: () => Promise<T | typeof retry>): Promise<T> {
  for (let round = 0; round < retryAttempts; round += 1) {
    const result = await attempt();
    if (result !== retry) return result;
    await backoff(round);
  }
  throw problem('UNAVAILABLE', 'the resource is busy, retry later', { retryAfterSeconds: 1 });
}
