import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { config } from '#lib/platform/config.js';
import { createTable } from '#lib/platform/dynamodb.js';
import { createTableInput, tableDefinition } from '#lib/data/table-definition.js';
import { ensureTable } from '#dev/ensure-table.js';

const { dynamodbEndpoint, region, tableName } = config();
const table = createTable({ endpoint: dynamodbEndpoint, region, tableName: `${tableName}-ensured` });
const older = createTable({ endpoint: dynamodbEndpoint, region, tableName: `${tableName}-older` });
afterAll(() => {
  table.client.destroy();
  older.client.destroy();
});

describe('ensureTable', () => {
  it('creates a missing table with its keys and indexes, and TTL enabled on the ttl attribute', async () => {
    await ensureTable(table);

    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
    const { TimeToLiveDescription } = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(tableDefinition.globalSecondaryIndexes.map((index) => index.indexName));
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('adds the indexes and the stream a table kept from an older version lacks (gsi3, for the budget job)', async () => {
    // Older versions created the table without a stream.
    const input = { ...createTableInput(older.name), StreamSpecification: undefined };
    const indexes = input.GlobalSecondaryIndexes.filter((index) => index.IndexName !== 'gsi3');
    const keyNames = new Set<string>(['pk', 'sk', ...indexes.flatMap((index) => index.KeySchema.map((key) => key.AttributeName))]);
    await older.client.send(
      new CreateTableCommand({ ...input, GlobalSecondaryIndexes: indexes, AttributeDefinitions: input.AttributeDefinitions.filter((definition) => keyNames.has(definition.AttributeName)) }),
    );

    await ensureTable(older);

    const { Table } = await older.client.send(new DescribeTableCommand({ TableName: older.name }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).toSorted()).toEqual(['gsi1', 'gsi2', 'gsi3']);
    expect(Table?.StreamSpecification?.StreamEnabled).toBe(true);
  });

  it('leaves an existing table as it is', async () => {
    await ensureTable(table);
    const { Table: before } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));

    await ensureTable(table);

    const { Table: after } = await table.client.send(new DescribeTableCommand({ TableName: table.name }));
    expect(after?.CreationDateTime).toEqual(before?.CreationDateTime);
  });
});
