import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableDefinition } from '#lib/data/table-definition.js';
import type { Table } from '#lib/platform/dynamodb.js';

/**
 * What DynamoDB on demand bills for a write command, by the published rules rather than by DynamoDB
 * Local's `ConsumedCapacity` (which charges a one-item transaction of 100 bytes 4 units, and two such
 * items together 4 as well: it does not count per item). The rules (DynamoDB developer guide, "read and
 * write operations", "transactions: capacity management", "global secondary indexes: write capacity"):
 * a write costs 1 unit per started KB of the item's size (the larger of before and after), 2 inside a
 * transaction; a transaction's condition check is billed like a write of its item (an assumption: the
 * guide bills every transaction item twice, prepare and commit); each global secondary index whose key
 * the item holds after the write adds 1 unit per started KB of its entry, as a standard write (every
 * index here projects all attributes, so any change reaches it).
 */
export interface WrittenItem {
  readonly key: { pk: unknown; sk: unknown };
  readonly kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  readonly transactional: boolean;
  /** The item's size before the write, when the bench read it beforehand. */
  readonly sizeBefore?: number;
}

/** An attribute value's size: strings and binaries by bytes, numbers by digits, lists and maps 3 bytes plus 1 per element. */
function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return Math.ceil(String(value).replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueSize(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + valueSize(element) + 1, 0);
  return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [name, element]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(element) + 1, 0);
}

/** An item's size as DynamoDB measures it: the names and values of its attributes. */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value), 0);
}

const kilobytes = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Reads an item as it is now, outside any counting (the bench's own reads are not the operation's). */
export async function currentItem(table: Table, key: WrittenItem['key']): Promise<Record<string, unknown> | undefined> {
  return (await table.client.send(new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;
}

/** The write units DynamoDB bills for these items, each read back after the operation. */
export async function billedWriteUnits(table: Table, written: readonly WrittenItem[]): Promise<number> {
  let units = 0;
  for (const write of written) {
    const after = write.kind === 'Delete' ? undefined : await currentItem(table, write.key);
    const size = Math.max(after ? itemSize(after) : 0, write.sizeBefore ?? 0);
    units += (write.transactional ? 2 : 1) * kilobytes(size);
    if (write.kind === 'ConditionCheck' || !after) continue;
    for (const index of tableDefinition.globalSecondaryIndexes) if (after[index.partitionKey] !== undefined) units += kilobytes(size);
  }
  return units;
}
