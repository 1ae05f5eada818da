import { CreateTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';
import { createTableInput, tableDefinition } from '#lib/data/table-definition.js';

function isResourceInUse(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceInUseException';
}

/**
 * Creates the single table where it is missing (DynamoDB Local, or any endpoint given by
 * `DYNAMODB_ENDPOINT`) and makes sure expired items are deleted by TTL, as on AWS.
 * Safe to run against a table that already exists, from several processes at once.
 */
export async function ensureTable(table: Table): Promise<void> {
  try {
    await table.client.send(new CreateTableCommand(createTableInput(table.name)));
  } catch (error) {
    if (!isResourceInUse(error)) throw error;
  }
  // DynamoDB Local creates tables at once; a real endpoint needs a moment before TTL can be set.
  await waitUntilTableExists({ client: table.client, maxWaitTime: 60, minDelay: 1 }, { TableName: table.name });
  const { TimeToLiveDescription } = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  await table.client.send(
    new UpdateTimeToLiveCommand({
      TableName: table.name,
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    }),
  );
}
