import { generateKeyPairSync, sign } from 'node:crypto';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';

/** A DynamoDB call an operation made, as the DocumentClient saw it. */
export interface RecordedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly output: Record<string, unknown>;
}

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Records the table client's calls until `stop()`: what the floor must repeat, call for call. */
export function recordCalls(table: Table): { readonly calls: RecordedCall[]; stop(): void } {
  const calls: RecordedCall[] = [];
  const client = table.client;
  const original = client.send.bind(client);
  const recording = async (command: { constructor: { name: string }; input: object }) => {
    const output = (await original(command as Parameters<typeof original>[0])) as Record<string, unknown>;
    calls.push({ command: command.constructor.name, input: command.input as Record<string, unknown>, output });
    return output;
  };
  client.send = recording as typeof client.send;
  return { calls, stop: () => void (client.send = original) };
}

/** The raw work of an operation, minus everything of ours: its DynamoDB calls made directly, and its signature. */
export interface Floor {
  /** Calls per iteration, by command, for the report. */
  readonly calls: readonly string[];
  run(iteration: number): Promise<void>;
}

/**
 * Turns recorded calls into the same calls against copies of the same items, so that they take the
 * same time without depending on our code: reads of copies (or of missing keys where the operation
 * missed), and one transaction of the same item count and sizes. Every condition still runs, OR-ed
 * with a clause that holds on the copies, so that repeating the floor never fails.
 */
export async function floorOf(
  table: Table,
  recorded: readonly RecordedCall[],
  options: { runId: string; signingInputBytes?: number },
): Promise<Floor> {
  const { client, name: TableName } = table;
  let copies = 0;
  /**
   * A copy of an item under a key of the floor's own: of `known`, or of what `key` names now when it is
   * not known. Where the operation found nothing (`null`), the floor's key names nothing either.
   */
  async function copyOf(key: Key, known?: Item | null): Promise<Key> {
    const floorKey = { pk: `FLOOR#${options.runId}#${(copies += 1)}`, sk: key.sk };
    const item = known === undefined ? (await client.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item : known;
    if (item) await client.send(new PutCommand({ TableName, Item: { ...item, ...floorKey } }));
    return floorKey;
  }
  const holdsOnCopies = (present: boolean, original: unknown) => {
    const clause = present ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)';
    return typeof original === 'string' ? `${clause} OR (${original})` : clause;
  };

  const steps: ((iteration: number) => Promise<unknown>)[] = [];
  for (const call of recorded) {
    switch (call.command) {
      case 'GetCommand': {
        const input = call.input as { Key: Key; ConsistentRead?: boolean };
        const Key = await copyOf(input.Key, (call.output.Item as Item | undefined) ?? null);
        steps.push(() => client.send(new GetCommand({ TableName, Key, ConsistentRead: input.ConsistentRead })));
        break;
      }
      case 'BatchGetCommand': {
        const request = Object.values(call.input.RequestItems as Record<string, { Keys: Key[]; ConsistentRead?: boolean }>)[0];
        const found = Object.values((call.output.Responses ?? {}) as Record<string, Item[]>).flat();
        if (!request) throw new TypeError('a BatchGetItem without keys');
        const byKey = new Map(found.map((item) => [`${String(item.pk)}|${String(item.sk)}`, item]));
        const Keys = await Promise.all(request.Keys.map((key) => copyOf(key, byKey.get(`${key.pk}|${key.sk}`) ?? null)));
        steps.push(() => client.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys, ConsistentRead: request.ConsistentRead } } })));
        break;
      }
      case 'TransactWriteCommand': {
        const items = (call.input.TransactItems ?? []) as TransactItem[];
        const targets = await Promise.all(
          items.map((item) => (item.Update ? copyOf(item.Update.Key as Key) : item.ConditionCheck ? copyOf(item.ConditionCheck.Key as Key) : undefined)),
        );
        steps.push((iteration) =>
          client.send(
            new TransactWriteCommand({
              TransactItems: items.map((item, index): TransactItem => {
                const target = targets[index];
                if (item.Put) {
                  const Item = { ...item.Put.Item, pk: `FLOOR#${options.runId}#put#${iteration}#${index}` };
                  return { Put: { ...item.Put, TableName, Item, ConditionExpression: holdsOnCopies(false, item.Put.ConditionExpression) } };
                }
                if (item.Update && target) return { Update: { ...item.Update, TableName, Key: target, ConditionExpression: holdsOnCopies(true, item.Update.ConditionExpression) } };
                if (item.ConditionCheck && target) {
                  return { ConditionCheck: { ...item.ConditionCheck, TableName, Key: target, ConditionExpression: holdsOnCopies(true, item.ConditionCheck.ConditionExpression) } };
                }
                throw new TypeError(`the floor cannot repeat a transaction item ${Object.keys(item).join()}`);
              }),
            }),
          ),
        );
        break;
      }
      default:
        throw new TypeError(`the floor cannot repeat ${call.command}`);
    }
  }

  const signingInput = options.signingInputBytes === undefined ? undefined : Buffer.alloc(options.signingInputBytes, 'a');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    calls: [...recorded.map((call) => call.command), ...(signingInput ? ['ES256 signature'] : [])],
    run: async (iteration) => {
      for (const step of steps) await step(iteration);
      if (signingInput) sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    },
  };
}
