/**
 * `npm run insights:rebuild`: recomputes every insight and the licenses' usage history from the table
 * (lib/insights/rebuild.ts), replacing what the stream consumer kept. Run it while the consumer is
 * stopped: locally with `npm start` stopped (this script then starts the same DynamoDB Local on
 * `$DATA_DIR`, or uses `$DYNAMODB_ENDPOINT`); on AWS with `-- --aws`, the table `$TABLE_NAME`, the
 * caller's credentials, and the consumer's event source mapping disabled meanwhile.
 */
import { join, resolve } from 'node:path';
import { readConfig } from '#lib/platform/config.js';
import { catalog } from '#lib/platform/catalog.js';
import { createTable } from '#lib/platform/dynamodb.js';
import { rebuildInsights } from '#lib/insights/rebuild.js';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';
import type { DynamodbLocal } from '#dev/dynamodb-local.js';
import { dynamodbFolderName, dynamodbLocalAccessKeyId } from '#dev/local-data-dir.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const onAws = process.argv.includes('--aws');
const { dataDir, region, tableName, dynamodbEndpoint, dynamodbAccessKeyId } = readConfig();
let embedded: DynamodbLocal | undefined;
let endpoint = onAws ? undefined : dynamodbEndpoint;
let accessKeyId = dynamodbAccessKeyId;
if (!onAws && !endpoint) {
  accessKeyId = await dynamodbLocalAccessKeyId(resolve(dataDir), region);
  embedded = await startDynamodbLocal({ dbPath: join(resolve(dataDir), dynamodbFolderName), accessKeyId });
  endpoint = embedded.endpoint;
}
const table = createTable({ region, tableName, ...(endpoint ? { endpoint } : {}), ...(accessKeyId ? { accessKeyId } : {}) });
try {
  const started = performance.now();
  const result = await rebuildInsights({ table, catalog: catalog() });
  console.log(
    `rebuilt the insights of ${tableName} from ${result.sources} sources: ${result.scopes} scopes, ${result.licenseDays} license days ` +
      `(${result.replaced} items replaced) in ${Math.round(performance.now() - started)} ms`,
  );
} finally {
  table.client.destroy();
  await embedded?.stop();
}
