import type { Table } from '#lib/platform/dynamodb.js';

/** The DynamoDB work of one operation, as the SDK sent it and as DynamoDB (Local) accounted for it. */
export interface TableCalls {
  /** HTTP requests to DynamoDB, retries included. */
  readonly roundTrips: number;
  readonly commands: readonly string[];
  /** Items put, updated or deleted (in transactions or alone). */
  readonly itemsWritten: number;
  /** Transaction items that only check a condition. */
  readonly conditionChecks: number;
  /** Capacity units DynamoDB reported (`ReturnConsumedCapacity: TOTAL`): read and write request units on demand. */
  readonly readUnits: number;
  readonly writeUnits: number;
}

const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

interface Capacity {
  CapacityUnits?: number;
}

function writesOf(commandName: string, input: Record<string, unknown>): { written: number; checks: number } {
  if (commandName === 'TransactWriteItemsCommand') {
    const items = (input.TransactItems ?? []) as Record<string, unknown>[];
    const checks = items.filter((item) => item.ConditionCheck).length;
    return { written: items.length - checks, checks };
  }
  if (commandName === 'BatchWriteItemCommand') {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>).flat();
    return { written: requests.length, checks: 0 };
  }
  return { written: ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'].includes(commandName) ? 1 : 0, checks: 0 };
}

/**
 * Counts the table client's DynamoDB calls with SDK middleware: commands as they start, HTTP
 * requests inside the retry loop, and the capacity each answer reports. `take()` returns the
 * calls since the previous `take()`.
 */
export function countTableCalls(table: Table): { take(): TableCalls; stop(): void } {
  let current = { roundTrips: 0, commands: [] as string[], itemsWritten: 0, conditionChecks: 0, readUnits: 0, writeUnits: 0 };
  const stack = table.client.middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const commandName = String(context.commandName);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const { written, checks } = writesOf(commandName, input);
      current.commands.push(commandName);
      current.itemsWritten += written;
      current.conditionChecks += checks;
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
      current.roundTrips += 1;
      return next(args);
    },
    // Inside the retry middleware (finalizeRequest, high priority): once per HTTP attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'benchCountRoundTrips' },
  );
  return {
    take: () => {
      const taken = current;
      current = { roundTrips: 0, commands: [], itemsWritten: 0, conditionChecks: 0, readUnits: 0, writeUnits: 0 };
      return taken;
    },
    stop: () => {
      stack.remove('benchCountCommands');
      stack.remove('benchCountRoundTrips');
    },
  };
}
