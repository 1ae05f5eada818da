import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import type { Account, Association, AuditEvent } from '@license-activation/contract/schemas';
import { accountIsKind, toAccount } from './account-items.js';
import { eventPuts } from './events.js';
import { isStorableId, keys } from './keys.js';
import { querySlicePage } from './pagination.js';
import type { Page } from './pagination.js';
import { failedCondition, isContention, transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';

/**
 * The association lives in the reseller's partition and carries a copy of the customer's
 * (immutable) name and email, so listing a reseller's customers is one Query.
 */
export function associationItem(resellerId: string, customer: Account, createdAt: string) {
  return {
    ...keys.association(resellerId, customer.id),
    entity: 'association',
    resellerId,
    customerId: customer.id,
    associatedAt: createdAt,
    customer,
  };
}

export async function isAssociated(table: Table, resellerId: string, customerId: string): Promise<boolean> {
  if (!isStorableId(resellerId) || !isStorableId(customerId)) return false;
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.name,
      Key: keys.association(resellerId, customerId),
      ProjectionExpression: 'pk',
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

/** A transaction item that holds only while the reseller still manages the customer. */
export function associationStillExists(table: Table, resellerId: string, customerId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: table.name,
      Key: keys.association(resellerId, customerId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}

export type AddAssociationOutcome = { added: true } | { added: false; existing: Association };

export async function addAssociation(
  table: Table,
  args: { resellerId: string; customer: Account; createdAt: string; event: AuditEvent },
): Promise<AddAssociationOutcome | 'reseller-missing' | 'contention'> {
  const { resellerId, customer, createdAt, event } = args;
  const outcome = await transactWrite(table, [
    {
      Put: {
        TableName: table.name,
        Item: associationItem(resellerId, customer, createdAt),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    accountIsKind(table, resellerId, 'reseller'),
    ...eventPuts(table, event),
  ]);
  if (outcome.ok) return { added: true };
  const existing = outcome.oldItems[0];
  if (failedCondition(outcome, 0) && existing) {
    return { added: false, existing: { resellerId, customerId: customer.id, createdAt: String(existing.associatedAt) } };
  }
  if (failedCondition(outcome, 1)) return 'reseller-missing';
  if (isContention(outcome)) return 'contention';
  throw new Error(`association cancelled: ${outcome.reasons.join(', ')}`);
}

/** Deletes an association with its event; `missing` when there was none. */
export async function removeAssociation(
  table: Table,
  args: { resellerId: string; customerId: string; event: AuditEvent },
): Promise<'removed' | 'missing' | 'contention'> {
  if (!isStorableId(args.resellerId) || !isStorableId(args.customerId)) return 'missing';
  const outcome = await transactWrite(table, [
    {
      Delete: {
        TableName: table.name,
        Key: keys.association(args.resellerId, args.customerId),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    ...eventPuts(table, args.event),
  ]);
  if (outcome.ok) return 'removed';
  if (failedCondition(outcome, 0)) return 'missing';
  if (isContention(outcome)) return 'contention';
  throw new Error(`association removal cancelled: ${outcome.reasons.join(', ')}`);
}

/** A reseller's customers, ordered by customer id (a ULID, so by the customers' creation). */
export async function listCustomersOfReseller(table: Table, resellerId: string, page: { limit: number; cursor?: string }): Promise<Page<Account>> {
  const result = await querySlicePage(table, { partition: keys.association(resellerId, '').pk, prefix: keys.associationPrefix }, page);
  return { ...result, items: result.items.map((item) => toAccount(item.customer as Record<string, unknown>)) };
}

/**
 * Up to `limit` ids of a reseller's customers after `afterCustomerId` (from the start without it),
 * in id order, and whether more follow.
 */
export async function customerIdsOfReseller(
  table: Table,
  resellerId: string,
  afterCustomerId: string | undefined,
  limit: number,
): Promise<{ ids: string[]; more: boolean }> {
  const partition = keys.association(resellerId, '').pk;
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :reseller AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':reseller': partition, ':prefix': keys.associationPrefix },
      ProjectionExpression: 'customerId',
      ExclusiveStartKey: afterCustomerId === undefined ? undefined : keys.association(resellerId, afterCustomerId),
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return { ids: (result.Items ?? []).map((item) => String(item.customerId)), more: result.LastEvaluatedKey !== undefined };
}
