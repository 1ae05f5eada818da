import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientDefaults, withoutSdkLogging } from './aws-client-defaults.js';
import { config } from './config.js';

export interface Table {
  readonly client: DynamoDBDocumentClient;
  readonly name: string;
}

interface TableOptions {
  readonly endpoint?: string;
  readonly region: string;
  readonly tableName: string;
  readonly accessKeyId?: string;
}

/**
 * The low-level client with explicit timeouts; static credentials when talking to DynamoDB Local, which
 * checks no signature but keeps a database per access key id (`local` unless one is given).
 */
export function createDynamodbClient(options: Omit<TableOptions, 'tableName'>): DynamoDBClient {
  return withoutSdkLogging(
    new DynamoDBClient({
      region: options.region,
      ...awsClientDefaults,
      ...(options.endpoint
        ? { endpoint: options.endpoint, credentials: { accessKeyId: options.accessKeyId ?? 'local', secretAccessKey: 'local' } }
        : {}),
    }),
  );
}

/** The service's table: a DocumentClient over `createDynamodbClient`. */
export function createTable(options: TableOptions): Table {
  const base = createDynamodbClient(options);
  const client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client, name: options.tableName };
}

let shared: Table | undefined;

/** The process's table, created on first use. */
export function table(): Table {
  const { dynamodbEndpoint, dynamodbAccessKeyId, region, tableName } = config();
  shared ??= createTable({ endpoint: dynamodbEndpoint, region, tableName, accessKeyId: dynamodbAccessKeyId });
  return shared;
}

export function resetTable(): void {
  shared = undefined;
}
