import { isDeepStrictEqual } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';

/** One item of the single table, as the DocumentClient returns it. */
export type Item = Readonly<Record<string, unknown>>;

/** Every item of the table by `pk|sk`. */
export type Snapshot = ReadonlyMap<string, Item>;

export const itemKey = (item: Item): string => `${String(item.pk)}|${String(item.sk)}`;

/** Every item of the table, strongly consistent, page after page. */
export async function scanTable(table: Table): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(new ScanCommand({ TableName: table.name, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function takeSnapshot(table: Table): Promise<Snapshot> {
  return new Map((await scanTable(table)).map((item) => [itemKey(item), item]));
}

export interface TableChange {
  readonly added: readonly Item[];
  readonly updated: readonly { readonly before: Item; readonly after: Item }[];
  readonly removed: readonly Item[];
}

/** An item as a request changes it: an API key's `lastUsedAt` is the key's use, recorded whatever became of the request. */
const asChanged = ({ lastUsedAt: _, ...item }: Item): Item => item;

export function changesBetween(before: Snapshot, after: Snapshot): TableChange {
  const added: Item[] = [];
  const updated: { before: Item; after: Item }[] = [];
  for (const [key, item] of after) {
    const old = before.get(key);
    if (!old) added.push(item);
    else if (!isDeepStrictEqual(asChanged(old), asChanged(item))) updated.push({ before: old, after: item });
  }
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, item]) => item);
  return { added, updated, removed };
}

/**
 * What a change did, by kind of item and independent of ids and times: `+activation`, `~license`,
 * `-association`… sorted. Two runs of one operation on equal footing have the same shape.
 */
export function changeShape(change: TableChange): string[] {
  return [
    ...change.added.map((item) => `+${String(item.entity)}`),
    ...change.updated.map(({ after }) => `~${String(after.entity)}`),
    ...change.removed.map((item) => `-${String(item.entity)}`),
  ].sort();
}

/** An installation item apart from the DPoP proofs it spent and the revision that spending made. */
function apartFromProofs({ recentProofs: _, rev: _rev, recentToken, ...item }: Item): Item {
  return { ...item, recentToken: recentToken === undefined ? undefined : { ...(recentToken as object), rev: undefined } };
}

/**
 * The change without what spending DPoP proofs writes (API.md §2: a refused request spends its proof too):
 * the proof ledger, and an installation item that changed in nothing else.
 */
export function apartFromSpentProofs(change: TableChange): TableChange {
  return {
    added: change.added.filter((item) => item.entity !== 'proofLedger'),
    updated: change.updated.filter(
      ({ before, after }) => after.entity !== 'proofLedger' && !(after.entity === 'installation' && isDeepStrictEqual(apartFromProofs(before), apartFromProofs(after))),
    ),
    removed: change.removed,
  };
}
