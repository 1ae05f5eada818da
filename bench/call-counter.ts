import type { Table } from '#lib/platform/dynamodb.js';
import { currentItem, itemSize } from './billed-units.js';
import type { WrittenItem } from './billed-units.js';

/** The DynamoDB work of one operation, as the SDK sent it and as DynamoDB (Local) accounted for it. */
export interface TableCalls {
  /** HTTP requests to DynamoDB, retries included. */
  readonly roundTrips: number;
  readonly commands: readonly string[];
  /** Items put, updated or deleted (in transactions or alone). */
  readonly itemsWritten: number;
  /** Transaction items that only check a condition. */
  readonly conditionChecks: number;
  /** Capacity units DynamoDB Local reported (`ReturnConsumedCapacity: TOTAL`): read and write request units on demand. */
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Every item written or checked, with its size before the write, for the units AWS bills (billed-units.ts). */
  readonly written: readonly WrittenItem[];
}

const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

interface Capacity {
  CapacityUnits?: number;
}

type Key = WrittenItem['key'];

/** The items a write command puts, updates, deletes or checks. */
function writesOf(commandName: string, input: Record<string, unknown>): Omit<WrittenItem, 'sizeBefore'>[] {
  if (commandName === 'TransactWriteItemsCommand') {
    return ((input.TransactItems ?? []) as Record<string, { Key?: Key; Item?: Key }>[]).map((item) => {
      const [kind, operation] = Object.entries(item)[0] as [WrittenItem['kind'], { Key?: Key; Item?: Key }];
      return { kind, key: keyOf(operation.Key ?? operation.Item), transactional: true };
    });
  }
  if (commandName === 'BatchWriteItemCommand') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } }[]>).flat();
    return requests.map((request) => ({ kind: request.PutRequest ? 'Put' : 'Delete', key: keyOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key), transactional: false }));
  }
  const single = { PutItemCommand: 'Put', UpdateItemCommand: 'Update', DeleteItemCommand: 'Delete' } as const;
  const kind = single[commandName as keyof typeof single];
  return kind ? [{ kind, key: keyOf((input.Key ?? input.Item) as Key), transactional: false }] : [];
}

const keyOf = (item: Key | undefined): Key => ({ pk: item?.pk, sk: item?.sk });

/**
 * Counts the table client's DynamoDB calls with SDK middleware: commands as they start, HTTP
 * requests inside the retry loop, and the capacity each answer reports. `take()` returns the
 * calls since the previous `take()`.
 */
export function countTableCalls(table: Table): { take(): TableCalls; stop(): void } {
  const empty = () => ({ roundTrips: 0, commands: [] as string[], itemsWritten: 0, conditionChecks: 0, readUnits: 0, writeUnits: 0, written: [] as WrittenItem[] });
  let current = empty();
  // The counter's own reads of items before they are written go through the same client, uncounted.
  let reading = false;
  const stack = table.client.middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      if (reading) return next(args);
      const commandName = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const writes = writesOf(commandName, input);
      current.commands.push(commandName);
      current.itemsWritten += writes.filter((write) => write.kind !== 'ConditionCheck').length;
      current.conditionChecks += writes.filter((write) => write.kind === 'ConditionCheck').length;
      reading = true;
      try {
        for (const write of writes) {
          const before = await currentItem(table, write.key);
          current.written.push({ ...write, ...(before ? { sizeBefore: itemSize(before) } : {}) });
        }
      } finally {
        reading = false;
      }
      const result = await next(args);
      const reported = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      const units = [reported ?? []].flat().reduce((sum, capacity) => sum + (capacity.CapacityUnits ?? 0), 0);
      if (readCommands.has(commandName)) current.readUnits += units;
      else current.writeUnits += units;
      return result;
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  stack.add(
    (next) => async (args) => {
      if (!reading) current.roundTrips += 1;
      return next(args);
    },
    // Inside the retry middleware (finalizeRequest, high priority): once per HTTP attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'benchCountRoundTrips' },
  );
  return {
    take: () => {
      const taken = current;
      current = empty();
      return taken;
    },
    stop: () => {
      stack.remove('benchCountCommands');
      stack.remove('benchCountRoundTrips');
    },
  };
}
