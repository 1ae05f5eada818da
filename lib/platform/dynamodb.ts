import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientDefaults } from './aws-client-defaults.js';
import { config } from './config.js';

export interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly name: string;
}

/** A DocumentClient with explicit timeouts; static credentials when talking to DynamoDB Local. */
export function createTable(options: { endpoint?: string; region: string; tableName: string }): Table {
  const base = new DynamoDBClient({
    region: options.region,
    ...awsClientDefaults,
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, name: options.tableName };
}

let shared: Table | undefined;

/** The process's table, created on first use. */
export function table(): Table {
  const { dynamodbEndpoint, region, tableName } = config();
  shared ??= createTable({ endpoint: dynamodbEndpoint, region, tableName });
  return shared;
}

export function resetTable(): void {
  shared = undefined;
}
