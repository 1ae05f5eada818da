import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Records failure `failureId` at `at`, forgets the `expired` ones (read earlier; forgetting one twice
 * is harmless), and keeps the item until `expiresAt`, the end of the newest failure's window.
 */
export async function recordKeyFailure(
  table: Table,
  args: { installationId: string; failureId: string; at: number; expired: readonly string[]; expiresAt: Date },
): Promise<void> {
  const names: Record<string, string> = { '#ttl': 'ttl', '#failure': `${failurePrefix}${args.failureId}` };
  args.expired.forEach((failureId, index) => (names[`#expired${index}`] = `${failurePrefix}${failureId}`));
  const remove = args.expired.map((_, index) => `#expired${index}`);
  await table.client.send(
    new UpdateCommand({
      TableName: table.name,
      Key: keys.keyFailures(args.installationId),
      UpdateExpression: `SET #failure = :at, #ttl = :ttl, entity = :entity${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':at': args.at, ':ttl': Math.ceil(args.expiresAt.getTime() / 1000), ':entity': 'keyFailures' },
    }),
  );
}
