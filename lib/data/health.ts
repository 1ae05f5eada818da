import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../platform/dynamodb.js';
import { partitions } from './keys.js';

/** Proves the table answers with one cheap data-plane read (DescribeTable is rate-limited on AWS). */
export async function checkTableReachable(table: Table): Promise<void> {
  await table.client.send(new GetCommand({ TableName: table.name, Key: { pk: partitions.health, sk: 'HEALTH' } }));
}
