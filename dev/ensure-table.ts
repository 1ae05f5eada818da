import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, UpdateTableCommand, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { Table } from '#lib/platform/dynamodb.js';
import { createTableInput, tableDefinition } from '#lib/data/table-definition.js';

function isResourceInUse(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceInUseException';
}

/** A table kept under `$DATA_DIR` from before an index existed gets it (CloudFormation does the same on AWS). */
async function addMissingIndexes(table: Table): Promise<void> {
  const { Table: described } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
  const present = new Set((described?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const wanted = createTableInput(table.name);
  for (const index of wanted.GlobalSecondaryIndexes.filter((candidate) => !present.has(candidate.IndexName))) {
    const keyNames = new Set<string>(index.KeySchema.map((key) => key.AttributeName));
    await table.client.send(
      new UpdateTableCommand({
        TableName: table.name,
        AttributeDefinitions: wanted.AttributeDefinitions.filter((definition) => keyNames.has(definition.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}

/** A table kept under `$DATA_DIR` from before the stream existed gets it, as CloudFormation would add it. */
export async function enableStream(table: Table): Promise<void> {
  const { Table: described } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
  if (described?.StreamSpecification?.StreamEnabled) return;
  await table.client.send(new UpdateTableCommand({ TableName: table.name, StreamSpecification: createTableInput(table.name).StreamSpecification }));
}

export interface EnsureTableOptions {
  /**
   * Whether changes reach the table's stream (default, as on AWS). Tests leave it off unless a file reads
   * the stream: DynamoDB Local slows every request to a streaming table as the records of all its streams pile up.
   */
  readonly stream?: boolean;
}

/**
 * Creates the single table where it is missing (DynamoDB Local, or any endpoint given by
 * `DYNAMODB_ENDPOINT`) and makes sure expired items are deleted by TTL and changes reach the stream, as on AWS.
 * Safe to run against a table that already exists, from several processes at once.
 */
export async function ensureTable(table: Table, options: EnsureTableOptions = {}): Promise<void> {
  const { StreamSpecification, ...withoutStream } = createTableInput(table.name);
  try {
    await table.client.send(new CreateTableCommand(options.stream === false ? withoutStream : { ...withoutStream, StreamSpecification }));
  } catch (error) {
    if (!isResourceInUse(error)) throw error;
  }
  // DynamoDB Local creates tables at once; a real endpoint needs a moment before TTL can be set.
  await waitUntilTableExists({ client: table.client, maxWaitTime: 60, minDelay: 1 }, { TableName: table.name });
  await addMissingIndexes(table);
  if (options.stream !== false) await enableStream(table);
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
