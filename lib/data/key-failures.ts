import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';

/**
 * An installation's recent failed key activations: one attribute per failure, named by the failure's
 * own id, holding when it happened (epoch ms). Each failure writes only its own attribute, so
 * concurrent failures never overwrite each other and need no lock, and an SDK retry of the same
 * write (its answer lost) sets the same attribute again instead of counting twice.
 */
export type KeyFailures = Readonly<Record<string, number>>;

const failurePrefix = 'failure#';

/** The failures an item of the key-failures kind holds. */
export function toKeyFailures(item: Record<string, unknown> | undefined): KeyFailures {
  return Object.fromEntries(
    Object.entries(item ?? {})
      .filter(([name]) => name.startsWith(failurePrefix))
      .map(([name, at]) => [name.slice(failurePrefix.length), Number(at)]),
  );
}

/** One failure to record: its id and time, the `expired` ones to forget (read earlier; forgetting one twice is harmless), and the item's end. */
export interface FailureWrite {
  readonly failureId: string;
  readonly at: number;
  readonly expired: readonly string[];
  /** The end of the newest failure's window: the item is kept until then. */
  readonly expiresAt: Date;
}

/** Records a failed key activation of `installationId`. */
export function recordKeyFailure(table: Table, args: FailureWrite & { installationId: string }): Promise<void> {
  return recordFailure(table, keys.keyFailures(args.installationId), 'keyFailures', args);
}

/** Records an unknown user code a person typed (API.md §6: the same limit, 10 within 10 minutes). */
export function recordUserCodeFailure(table: Table, args: FailureWrite & { personId: string }): Promise<void> {
  return recordFailure(table, keys.userCodeFailures(args.personId), 'userCodeFailures', args);
}

/** A person's recent unknown user codes. */
export async function getUserCodeFailures(table: Table, personId: string): Promise<KeyFailures> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.userCodeFailures(personId), ConsistentRead: true }));
  return toKeyFailures(Item);
}

async function recordFailure(table: Table, key: { pk: string; sk: string }, entity: string, args: FailureWrite): Promise<void> {
  const names: Record<string, string> = { '#ttl': 'ttl', '#failure': `${failurePrefix}${args.failureId}` };
  args.expired.forEach((failureId, index) => (names[`#expired${index}`] = `${failurePrefix}${failureId}`));
  const remove = args.expired.map((_, index) => `#expired${index}`);
  await table.client.send(
    new UpdateCommand({
      TableName: table.name,
      Key: key,
      UpdateExpression: `SET #failure = :at, #ttl = :ttl, entity = :entity${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':at': args.at, ':ttl': Math.ceil(args.expiresAt.getTime() / 1000), ':entity': entity },
    }),
  );
}
