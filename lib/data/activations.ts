import { querySlice, querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

/**
 * The activation item, in its license's partition: one per license and installation, so a repeat can
 * never take a second slot. It is where slot accounting sees each activation: when its installation
 * was last seen and the latest `exp` of a token that carried it (both written in the transaction that
 * issues the token), and, for a release past the allowance, when its slot frees.
 */
export interface ActivationRecord {
  readonly licenseId: string;
  readonly installationId: string;
  readonly activationId: string;
  readonly createdAt: string;
  /** Absent on items written before leases existed: their creation stands in. */
  readonly lastSeenAt?: string;
  /** Epoch seconds; absent on items written before token expiries were recorded. */
  readonly tokenExp?: number;
  readonly releasedAt?: string;
  readonly freesAt?: string;
}

const recordAttributes = ['licenseId', 'installationId', 'activationId', 'createdAt', 'lastSeenAt', 'tokenExp', 'releasedAt', 'freesAt'] as const;

export function toActivationRecord(item: Record<string, unknown>): ActivationRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return record as unknown as ActivationRecord;
}

/**
 * Writes a new activation. `replacing` is a released activation of the same installation still
 * holding its slot: it becomes active again, provided it was not freed or changed meanwhile.
 */
export function activationPut(table: Table, activation: ActivationRecord, replacing?: ActivationRecord): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.activation(activation.licenseId, activation.installationId), entity: 'activation', ...activation },
      ...(replacing?.releasedAt === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'releasedAt = :releasedAt', ExpressionAttributeValues: { ':releasedAt': replacing.releasedAt } }),
    },
  };
}

/**
 * Records that a token carrying this activation was issued: when, and until when it is valid. Only on
 * an activation that still exists (a reclaimed one is never written back).
 */
export function activationSeen(table: Table, seen: { licenseId: string; installationId: string; lastSeenAt: string; tokenExp: number }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.activation(seen.licenseId, seen.installationId),
      UpdateExpression: 'SET lastSeenAt = :seen, tokenExp = :exp',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':seen': seen.lastSeenAt, ':exp': seen.tokenExp },
    },
  };
}

/** Holds while the activation is exactly as it was read: not seen, released or reclaimed since. */
function unchangedCondition(read: ActivationRecord) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses = ['attribute_exists(pk)'];
  for (const name of ['lastSeenAt', 'tokenExp', 'releasedAt'] as const) {
    names[`#${name}`] = name;
    if (read[name] === undefined) clauses.push(`attribute_not_exists(#${name})`);
    else {
      clauses.push(`#${name} = :${name}`);
      values[`:${name}`] = read[name];
    }
  }
  return {
    ConditionExpression: clauses.join(' AND '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Deletes an activation that no longer holds its slot (lapsed, or released with its tokens expired), if unchanged since read. */
export function activationReclaim(table: Table, read: ActivationRecord): TransactItem {
  return { Delete: { TableName: table.name, Key: keys.activation(read.licenseId, read.installationId), ...unchangedCondition(read) } };
}

/** A release that frees the slot at once: the activation goes, unless it was released already. */
export function activationDelete(table: Table, licenseId: string, installationId: string): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: keys.activation(licenseId, installationId),
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(releasedAt)',
    },
  };
}

/** A release past the allowance: the activation keeps its slot until `freesAt`, when its last token expires. */
export function activationRelease(table: Table, release: { licenseId: string; installationId: string; releasedAt: string; freesAt: string }): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.activation(release.licenseId, release.installationId),
      UpdateExpression: 'SET releasedAt = :releasedAt, freesAt = :freesAt',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(releasedAt)',
      ExpressionAttributeValues: { ':releasedAt': release.releasedAt, ':freesAt': release.freesAt },
    },
  };
}

/**
 * Every activation of a license, strongly consistent: read only when the license is full, to find a
 * slot to reclaim. One page holds about 4,000 activations; larger licenses take more round trips.
 */
export async function activationsOfLicense(table: Table, licenseId: string): Promise<ActivationRecord[]> {
  return (await querySlice(table, { partition: keys.license(licenseId).pk, prefix: keys.activationPrefix })).map(toActivationRecord);
}

/** One page of the installations holding a license (released ones still holding their slot included), in the order of their ids. */
export async function activationsOfLicensePage(table: Table, licenseId: string, page: { limit: number; cursor?: string }): Promise<Page<ActivationRecord>> {
  const found = await querySlicePage(table, { partition: keys.license(licenseId).pk, prefix: keys.activationPrefix }, page);
  return { ...found, items: found.items.map(toActivationRecord) };
}
