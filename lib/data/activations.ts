import type { Table } from '../platform/dynamodb.js';
import { keys } from './keys.js';
import type { TransactItem } from './transactions.js';

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
