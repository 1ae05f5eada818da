import { encodeTime, monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'acc' | 'act' | 'evt' | 'key' | 'mem' | 'whe';

/**
 * A new id: a type prefix and a ULID. ULIDs sort by creation time (monotonic within a process),
 * so sort keys built from them list items in the order they happened.
 */
export function newId(prefix: IdPrefix, now: Date): string {
  return `${prefix}_${nextUlid(now.getTime())}`;
}

/**
 * The smallest id of that prefix a ULID made at `at` can have: ids made before `at` sort before it, ids
 * made at or after it do not. What a time range of a sort key built from ids starts or ends at.
 */
export function idBoundaryAt(prefix: IdPrefix, at: Date): string {
  return `${prefix}_${encodeTime(Math.max(0, at.getTime()), 10)}`;
}
