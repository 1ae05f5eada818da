import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import { isContention, transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';

/**
 * Recent failures (failed key activations of an installation, unknown user codes of a person) kept in
 * a fixed number of slots, one attribute each: `slot<n>` holds one failure, `{ at, id }` (epoch ms and
 * the failure's own id). A failure is counted by taking a slot that is empty or whose failure left the
 * window, on that condition: two concurrent failures cannot take one slot, so however many arrive at
 * once, no more are counted within a window than there are slots. The id makes an SDK retry of the
 * same write (its answer lost) find its own failure rather than a taken slot.
 */
export interface Failure {
  readonly at: number;
  readonly id: string;
}

/** The failures an item holds, by slot number. */
export type FailureSlots = ReadonlyMap<number, Failure>;

const slotPattern = /^slot(\d+)$/;

/** The slots an item of a failures kind holds (none for no item). */
export function toFailureSlots(item: Record<string, unknown> | undefined): FailureSlots {
  const slots = new Map<number, Failure>();
  for (const [name, value] of Object.entries(item ?? {})) {
    const slot = slotPattern.exec(name)?.[1];
    const failure = value as Partial<Failure> | undefined;
    if (slot !== undefined && typeof failure?.at === 'number' && typeof failure.id === 'string') slots.set(Number(slot), { at: failure.at, id: failure.id });
  }
  return slots;
}

/** Where the failures are counted: an installation's key activations, or a person's user codes. */
export type FailureCounter = { readonly kind: 'keyFailures'; readonly installationId: string } | { readonly kind: 'userCodeFailures'; readonly personId: string };

const keyOf = (counter: FailureCounter) => (counter.kind === 'keyFailures' ? keys.keyFailures(counter.installationId) : keys.userCodeFailures(counter.personId));

/**
 * Takes `slot` for `failure` if it is empty, holds a failure from before `windowStart`, or already
 * holds this very failure; otherwise answers the slots as they are now (from the failed condition,
 * no extra read). The item is kept until the end of the newest failure's window (`expiresAt`).
 */
export async function takeFailureSlot(
  table: Table,
  counter: FailureCounter,
  args: { slot: number; failure: Failure; windowStart: number; expiresAt: Date },
): Promise<{ taken: true } | { taken: false; slots: FailureSlots }> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keyOf(counter),
        UpdateExpression: 'SET #slot = :failure, #ttl = :ttl, entity = :entity',
        ConditionExpression: 'attribute_not_exists(#slot) OR #slot.#at <= :windowStart OR #slot.#id = :id',
        ExpressionAttributeNames: { '#slot': `slot${args.slot}`, '#at': 'at', '#id': 'id', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':failure': args.failure,
          ':windowStart': args.windowStart,
          ':id': args.failure.id,
          ':ttl': Math.ceil(args.expiresAt.getTime() / 1000),
          ':entity': counter.kind,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { taken: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The DocumentClient leaves the item of a failed condition marshalled.
    return { taken: false, slots: toFailureSlots(error.Item && unmarshall(error.Item as Record<string, AttributeValue>)) };
  }
}

/**
 * A transaction item that holds only while one of `slotCount` slots is empty or holds a failure from
 * before `windowStart` — while the counter still admits an attempt. Written into the transaction that
 * answers an attempt, it orders that answer against concurrent failures: an answer given after the
 * last slot was taken is refused. It reads the item as it is when the transaction commits (none: free).
 */
export function freeFailureSlotCheck(table: Table, counter: FailureCounter, args: { slotCount: number; windowStart: number }): TransactItem {
  const slots = Array.from({ length: args.slotCount }, (_, slot) => slot);
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: keyOf(counter),
      ConditionExpression: slots.map((slot) => `attribute_not_exists(#slot${slot}) OR #slot${slot}.#at <= :windowStart`).join(' OR '),
      ExpressionAttributeNames: { '#at': 'at', ...Object.fromEntries(slots.map((slot) => [`#slot${slot}`, `slot${slot}`])) },
      ExpressionAttributeValues: { ':windowStart': args.windowStart },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * `freeFailureSlotCheck` on its own, for an answer that writes nothing else: one round trip (a
 * transaction of one condition check). `contention`: a concurrent failure held the item; try again.
 */
export async function checkFreeFailureSlot(
  table: Table,
  counter: FailureCounter,
  args: { slotCount: number; windowStart: number },
): Promise<{ free: true } | { free: false; slots: FailureSlots } | 'contention'> {
  const outcome = await transactWrite(table, [freeFailureSlotCheck(table, counter, args)]);
  if (outcome.ok) return { free: true };
  if (isContention(outcome)) return 'contention';
  return { free: false, slots: toFailureSlots(outcome.oldItems[0]) };
}
