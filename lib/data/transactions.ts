import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Table } from '../platform/dynamodb.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why each item of a cancelled transaction failed (`None` where it did not), and what was in the way. */
export interface Cancellation {
  readonly ok: false;
  readonly reasons: readonly string[];
  /** The item as it was, for items written with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`. */
  readonly oldItems: readonly (Record<string, unknown> | undefined)[];
}

export type TransactionOutcome = { readonly ok: true } | Cancellation;

/**
 * Runs a TransactWriteItems and returns a cancellation as a value, so each data module can map
 * the failing item to a domain reason. Other errors (throttling, timeouts) propagate.
 */
export async function transactWrite(table: Table, items: readonly TransactItem[]): Promise<TransactionOutcome> {
  try {
    await table.client.send(new TransactWriteCommand({ TransactItems: [...items] }));
    return { ok: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    return {
      ok: false,
      reasons: items.map((_, index) => reasons[index]?.Code ?? 'None'),
      oldItems: items.map((_, index) => {
        const item = reasons[index]?.Item;
        return item ? unmarshall(item as Record<string, AttributeValue>) : undefined;
      }),
    };
  }
}

/** A cancellation caused by other transactions or throughput rather than by a condition: worth retrying. */
export function isContention(outcome: Cancellation): boolean {
  return outcome.reasons.some((reason) => reason !== 'None' && reason !== 'ConditionalCheckFailed');
}

/** Whether item `index` failed its condition. */
export function failedCondition(outcome: Cancellation, index: number): boolean {
  return outcome.reasons[index] === 'ConditionalCheckFailed';
}

/** A transaction item with a name for what it guards, so a cancellation reads as domain reasons. */
export type LabelledItem<L extends string> = readonly [label: L, item: TransactItem];

export type LabelledOutcome<L extends string> =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Items that failed their condition, by label, with what was in the way (if asked for). */
      readonly failed: ReadonlyMap<L, readonly (Record<string, unknown> | undefined)[]>;
      /** Cancelled by other transactions or throughput: run the whole attempt again. */
      readonly contention: boolean;
    };

export async function labelledTransaction<L extends string>(table: Table, entries: readonly LabelledItem<L>[]): Promise<LabelledOutcome<L>> {
  const outcome = await transactWrite(table, entries.map(([, item]) => item));
  if (outcome.ok) return outcome;
  const failed = new Map<L, (Record<string, unknown> | undefined)[]>();
  entries.forEach(([label], index) => {
    if (!failedCondition(outcome, index)) return;
    failed.set(label, [...(failed.get(label) ?? []), outcome.oldItems[index]]);
  });
  return { ok: false, failed, contention: isContention(outcome) };
}
