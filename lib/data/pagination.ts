import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { problem } from '@license-activation/contract/problem';

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** Where a query may resume: the partition it reads and the key attributes its items carry. */
export interface CursorScope {
  /** The partition key attribute of the table or index queried, and the partition read. */
  readonly partition: { readonly name: string; readonly value: string };
  /** The key attributes DynamoDB needs to resume this query (table keys, plus index keys on an index). */
  readonly keyNames: readonly string[];
  /** The sort key condition of a `begins_with` query: DynamoDB refuses a start key outside it. */
  readonly sortKeyPrefix?: { readonly name: string; readonly prefix: string };
}

/** DynamoDB's limit for a sort key value (partition keys may be longer; none of ours are). */
const maxKeyBytes = 1024;

/** An opaque cursor for a JSON object: what every list hands its clients as `nextCursor`. */
export function encodeCursorObject(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function encodeCursor(item: Record<string, unknown>, scope: CursorScope): string {
  return encodeCursorObject(Object.fromEntries(scope.keyNames.map((name) => [name, item[name]])));
}

export const invalidCursor = () =>
  problem('VALIDATION_FAILED', 'the cursor was not issued by this server for this list', {
    errors: [{ path: 'cursor', message: 'unknown cursor' }],
  });

/** The JSON object an opaque cursor stands for, or 400 VALIDATION_FAILED when it is none. */
export function decodeCursorObject(cursor: string): Record<string, unknown> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalidCursor();
  return decoded as Record<string, unknown>;
}

/**
 * The ExclusiveStartKey a cursor stands for. The cursor is opaque to clients but not secret: it is
 * accepted only if it names exactly the key attributes of this query, inside the partition the
 * caller is allowed to read, so a forged cursor can never reach another partition.
 */
export function decodeCursor(cursor: string | undefined, scope: CursorScope): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const decoded = decodeCursorObject(cursor);
  const entries = Object.entries(decoded);
  const wanted = new Set(scope.keyNames);
  if (entries.length !== wanted.size) throw invalidCursor();
  for (const [name, value] of entries) {
    if (!wanted.has(name) || typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value, 'utf8') > maxKeyBytes) throw invalidCursor();
  }
  const key = decoded as Record<string, string>;
  if (key[scope.partition.name] !== scope.partition.value) throw invalidCursor();
  // A start key the query's own condition excludes is a ValidationException, not an empty page.
  const { sortKeyPrefix } = scope;
  if (sortKeyPrefix && !key[sortKeyPrefix.name]?.startsWith(sortKeyPrefix.prefix)) throw invalidCursor();
  return key;
}

/**
 * One page of a Query. It asks for one item more than the page holds, so `nextCursor` is present
 * exactly when another item follows: the last page never carries a cursor to an empty page. It reads
 * on while the page is short and DynamoDB stopped early: at its 1 MB page size, or, under a filter,
 * at `Limit` items read, since DynamoDB counts the items it read, not those the filter kept.
 */
export async function queryPage(
  table: Table,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  scope: CursorScope,
  page: { limit: number; cursor?: string },
): Promise<Page<Record<string, unknown>>> {
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined = decodeCursor(page.cursor, scope);
  do {
    const result = await table.client.send(
      new QueryCommand({ ...input, TableName: table.name, Limit: page.limit + 1 - found.length, ExclusiveStartKey: start }),
    );
    found.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start && found.length <= page.limit);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return found.length > page.limit && last ? { items, nextCursor: encodeCursor(last, scope) } : { items };
}

/** A table partition, and optionally the sort key prefix its items of one kind share. */
export interface TableSlice {
  readonly partition: string;
  readonly prefix?: string;
}

function sliceQuery(slice: TableSlice): Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'> {
  return slice.prefix === undefined
    ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': slice.partition } }
    : { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': slice.partition, ':prefix': slice.prefix } };
}

/** Only the items that carry this attribute: a slice where items without it are kept but not listed. */
const carrying = (attribute: string): Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames'> => ({
  FilterExpression: 'attribute_exists(#carried)',
  ExpressionAttributeNames: { '#carried': attribute },
});

/**
 * One page of a slice of the table, in sort key order (`newestFirst` reverses it), optionally of the
 * items `carrying` an attribute. The query's key condition and the cursor's scope come from the same
 * slice, so a cursor cannot point outside it.
 */
export function querySlicePage(
  table: Table,
  slice: TableSlice & { readonly prefix: string; readonly newestFirst?: boolean; readonly carrying?: string },
  page: { limit: number; cursor?: string },
): Promise<Page<Record<string, unknown>>> {
  return queryPage(
    table,
    {
      ...sliceQuery(slice),
      ...(slice.newestFirst ? { ScanIndexForward: false } : {}),
      ...(slice.carrying === undefined ? {} : carrying(slice.carrying)),
      ConsistentRead: true,
    },
    { partition: { name: 'pk', value: slice.partition }, keyNames: ['pk', 'sk'], sortKeyPrefix: { name: 'sk', prefix: slice.prefix } },
    page,
  );
}

/** Every item a Query answers, page after page (for queries known to stay small). */
export async function queryAll(table: Table, input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new QueryCommand({ TableName: table.name, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    found.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

/** Every item of a slice, read to its end (for slices known to stay small). */
export function querySlice(table: Table, slice: TableSlice): Promise<Record<string, unknown>[]> {
  return queryAll(table, { ...sliceQuery(slice), ConsistentRead: true });
}
