import { randomUUID } from 'node:crypto';
import type { Table } from '#lib/platform/dynamodb.js';
import { takeFailureSlot } from '#lib/data/key-failures.js';
import type { FailureCounter } from '#lib/data/key-failures.js';
import { keyFailureWindowMs, maxKeyFailures } from '#lib/installations/key-failure-limit.js';

/**
 * Fills every failure slot of `counter` right after the first read of it returns, as 10 concurrent
 * failures would between a request's read and its answer — the interleaving that decides whether a
 * good key (or code) read before the 10th failure is still answered. Returns how to take it away.
 */
export function failuresRightAfterTheRead(table: Table, counter: FailureCounter, counterKey: { pk: string; sk: string }): () => void {
  const name = 'failuresRightAfterTheRead';
  let filled = false;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const read = JSON.stringify((args.input as { RequestItems?: unknown }).RequestItems ?? {});
      if (!filled && context.commandName === 'BatchGetItemCommand' && read.includes(counterKey.pk) && read.includes(counterKey.sk)) {
        filled = true;
        const now = Date.now();
        for (let slot = 0; slot < maxKeyFailures; slot += 1) {
          await takeFailureSlot(table, counter, { slot, failure: { at: now, id: randomUUID() }, windowStart: now - keyFailureWindowMs, expiresAt: new Date(now + keyFailureWindowMs) });
        }
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return () => table.client.middlewareStack.remove(name);
}
