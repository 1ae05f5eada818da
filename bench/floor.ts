import { generateKeyPairSync, sign } from 'node:crypto';
import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
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
 * Copies of items under keys of the floor's own: of `known`, or of what `key` names now when it is not
 * known. Where the operation found nothing (`null`), the floor's key names nothing either.
 */
function itemCopier(table: Table, runId: string): (key: Key, known?: Item | null) => Promise<Key> {
  const { client, name: TableName } = table;
  let copies = 0;
  return async (key, known) => {
    const floorKey = { pk: `FLOOR#${runId}#${(copies += 1)}`, sk: key.sk };
    const item = known === undefined ? (await client.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item : known;
    if (item) await client.send(new PutCommand({ TableName, Item: { ...item, ...floorKey } }));
    return floorKey;
  };
}

/** An operation's condition, OR-ed with a clause that holds on the copies: it still runs, and never fails. */
function holdsOnCopies(present: boolean, original: unknown): string {
  const clause = present ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)';
  return typeof original === 'string' ? `${clause} OR (${original})` : clause;
}

/** Where the operation's put lands in iteration `iteration`: a new item each time, as the operation's own. */
const putKey = (runId: string, iteration: number, index: number) => `FLOOR#${runId}#put#${iteration}#${index}`;

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
  const copyOf = itemCopier(table, options.runId);

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
                  const Item = { ...item.Put.Item, pk: putKey(options.runId, iteration, index) };
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

/**
 * The least the contract implies for an operation, whatever the code around it: one GetItem of the
 * first item it read, and one TransactWriteItems of its first two writes (an installation's heartbeat:
 * the installation and its activation; an activation: the license's slot and the activation), sent with
 * the low-level client (`client`) on inputs marshalled beforehand, and no signature. Against copies,
 * every condition OR-ed to hold, as `floorOf`.
 */
export async function minimumFloorOf(table: Table, client: DynamoDBClient, recorded: readonly RecordedCall[], options: { runId: string }): Promise<Floor> {
  const { name: TableName } = table;
  const copyOf = itemCopier(table, options.runId);
  const [read] = recorded;
  const transaction = recorded.find((call) => call.command === 'TransactWriteCommand');
  if (!read || !transaction) throw new TypeError('the minimum floor needs a read and a transaction');
  const readKey =
    read.command === 'GetCommand'
      ? (read.input as { Key: Key }).Key
      : (Object.values(read.input.RequestItems as Record<string, { Keys: Key[] }>)[0]?.Keys[0] as Key);
  const readItem =
    read.command === 'GetCommand'
      ? ((read.output.Item as Item | undefined) ?? null)
      : (Object.values((read.output.Responses ?? {}) as Record<string, Item[]>).flat().find((item) => item.pk === readKey.pk && item.sk === readKey.sk) ?? null);
  const getInput = { TableName, Key: marshall(await copyOf(readKey, readItem)), ConsistentRead: true };

  const writes = ((transaction.input.TransactItems ?? []) as TransactItem[]).filter((item) => item.Put || item.Update).slice(0, 2);
  const marshalled = await Promise.all(
    writes.map(async (item, index): Promise<(iteration: number) => TransactWriteItem> => {
      const values = (input: { ExpressionAttributeValues?: Record<string, unknown> }) =>
        input.ExpressionAttributeValues ? { ExpressionAttributeValues: marshall(input.ExpressionAttributeValues, { removeUndefinedValues: true }) } : {};
      if (item.Put) {
        const { Item, ConditionExpression, ExpressionAttributeNames } = item.Put;
        const marshalledItem = marshall(Item, { removeUndefinedValues: true });
        const rest = { TableName, ConditionExpression: holdsOnCopies(false, ConditionExpression), ExpressionAttributeNames, ...values(item.Put) };
        return (iteration) => ({ Put: { ...rest, Item: { ...marshalledItem, pk: { S: putKey(options.runId, iteration, index) } as AttributeValue } } });
      }
      const { Key, UpdateExpression, ConditionExpression, ExpressionAttributeNames } = item.Update as NonNullable<TransactItem['Update']>;
      const update = {
        Update: { TableName, Key: marshall(await copyOf(Key as Key)), UpdateExpression, ConditionExpression: holdsOnCopies(true, ConditionExpression), ExpressionAttributeNames, ...values(item.Update as NonNullable<TransactItem['Update']>) },
      };
      return () => update;
    }),
  );
  return {
    calls: ['GetItem', `TransactWriteItems (${marshalled.length} items)`],
    run: async (iteration) => {
      await client.send(new GetItemCommand(getInput));
      await client.send(new TransactWriteItemsCommand({ TransactItems: marshalled.map((item) => item(iteration)) }));
    },
  };
}
