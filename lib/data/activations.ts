import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';
import { queryPage } from './pagination.js';
import type { Page } from './pagination.js';

/** The activation item: one per license and installation, so a repeat can never take a second slot. */
export function activationPut(table: Table, activation: { licenseId: string; installationId: string; activationId: string; createdAt: string }): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.activation(activation.licenseId, activation.installationId), entity: 'activation', ...activation },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function activationDelete(table: Table, licenseId: string, installationId: string): TransactItem {
  return {
    Delete: {
      TableName: table.name,
      Key: keys.activation(licenseId, installationId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}

/** One page of the installations holding a license, in the order of their ids. */
export async function listActivationsOfLicense(table: Table, licenseId: string, page: { limit: number; cursor?: string }): Promise<Page<{ installationId: string }>> {
  const partition = keys.activation(licenseId, '').pk;
  const found = await queryPage(
    table,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.activationPrefix },
    },
    { partition: { name: 'pk', value: partition }, keyNames: ['pk', 'sk'], sortKeyPrefix: { name: 'sk', prefix: keys.activationPrefix } },
    page,
  );
  return { ...found, items: found.items.map((item) => ({ installationId: String(item.installationId) })) };
}
