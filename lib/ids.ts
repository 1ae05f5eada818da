import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'acc' | 'act' | 'evt' | 'key' | 'mem';

/**
 * A new id: a type prefix and a ULID. ULIDs sort by creation time (monotonic within a process),
 * so sort keys built from them list items in the order they happened.
 */
export function newId(prefix: IdPrefix, now: Date): string {
  return `${prefix}_${nextUlid(now.getTime())}`;
}
