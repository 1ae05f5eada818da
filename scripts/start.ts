/**
 * `npm start`: the whole API on http://127.0.0.1:$PORT, backed by DynamoDB Local (or
 * $DYNAMODB_ENDPOINT), cognito-local as the user directory (or $COGNITO_ENDPOINT) and local keys
 * under $DATA_DIR. See sections 1 and 7 of the API contract.
 */
import { join, resolve } from 'node:path';
import { readOrCreateKeyFile } from '@license-activation/contract/key-file';
import { readConfig } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { generateApiKey } from '#lib/auth/api-keys.js';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';
import { ensureLocalUserPool, startCognitoLocal } from '#dev/cognito-local.js';
import type { CognitoLocal } from '#dev/cognito-local.js';
import type { DynamodbLocal } from '#dev/dynamodb-local.js';
import { startScheduledJobs } from '#dev/scheduled-jobs.js';
import { ensureTable } from '#dev/ensure-table.js';
import { startStreamConsumers } from '#dev/stream-consumers.js';
import { cognitoFolderName, dynamodbFolderName, dynamodbLocalAccessKeyId, opsApiKeyFileName, secureDataDir } from '#dev/local-data-dir.js';
import { createLocalServer } from '#dev/local-server.js';
import { confirmationCodeLines, handlerLogLevel, localLogLevel, requestLine, showsRequests } from '#dev/local-log.js';

const host = '127.0.0.1';

function portFromEnvironment(value: string | undefined): number {
  const port = Number(value || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError(`PORT must be a TCP port number, not ${value}`);
  return port;
}

/** `$DATA_DIR/ops-api-key`, created (owner-only) on first start; its key is printed for the developer. */
async function storedOpsApiKey(dataDir: string): Promise<string> {
  return (await readOrCreateKeyFile(join(dataDir, opsApiKeyFileName), () => `${generateApiKey()}\n`)).trim();
}

let dynamodbLocal: DynamodbLocal | undefined;
let cognitoLocal: CognitoLocal | undefined;

async function stopEmulators(): Promise<void> {
  await Promise.all([dynamodbLocal?.stop(), cognitoLocal?.stop()]);
}

async function fail(error: unknown): Promise<never> {
  console.error(error);
  await stopEmulators().catch((stopError: unknown) => console.error(stopError));
  process.exit(1);
}

process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (reason) => void fail(reason));

const port = portFromEnvironment(process.env.PORT);
const logLevel = localLogLevel(process.env.LOG_LEVEL);
// The handlers' JSON log lines (one per request) only when asked for: they would drown what a person needs here.
process.env.POWERTOOLS_LOG_LEVEL = handlerLogLevel(logLevel);
process.env.SITE_URL ??= `http://${host}:${port}`;
const { dataDir: configuredDataDir, region } = readConfig();
const dataDir = resolve(configuredDataDir);
for (const tightened of await secureDataDir(dataDir)) console.warn(`made owner-only: ${tightened}`);

// Every module reads its settings from the environment on first use: set them before any handler loads.
process.env.DATA_DIR = dataDir;
process.env.SIGNER = 'local';
process.env.SECRET_BOX = 'local';
// Webhooks may go to http:// on any port and to loopback addresses on any port, so that a developer receives on their own machine (API.md §9).
process.env.WEBHOOK_LOCAL_TARGETS = 'allow';
if (!process.env.OPS_API_KEY) {
  process.env.OPS_API_KEY = await storedOpsApiKey(dataDir);
  console.log(`ops API key: ${process.env.OPS_API_KEY}`);
}
if (!process.env.DYNAMODB_ENDPOINT) {
  const accessKeyId = await dynamodbLocalAccessKeyId(dataDir, region);
  process.env.DYNAMODB_ACCESS_KEY_ID = accessKeyId;
  dynamodbLocal = await startDynamodbLocal({ dbPath: join(dataDir, dynamodbFolderName), accessKeyId });
  process.env.DYNAMODB_ENDPOINT = dynamodbLocal.endpoint;
}
const server = createLocalServer(showsRequests(logLevel) ? { onAnswered: (answered) => console.log(requestLine(answered)) } : {});
await new Promise<void>((listening, failed) => {
  server.once('error', failed);
  server.listen(port, host, listening);
});
const address = server.address();
const baseUrl = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
// What installations' DPoP proofs must name as htu (section 2), before the first handler reads its settings.
process.env.PUBLIC_BASE_URL ||= baseUrl;
if (!process.env.COGNITO_ENDPOINT) {
  cognitoLocal = await startCognitoLocal({
    dataDir: join(dataDir, cognitoFolderName),
    // What Cognito would e-mail: the developer signs up with it.
    onConfirmationCode: ({ destination, code }) => console.log(confirmationCodeLines(destination, code, process.stdout.isTTY === true)),
  });
  process.env.COGNITO_ENDPOINT = cognitoLocal.endpoint;
}
const userPool = await ensureLocalUserPool(process.env.COGNITO_ENDPOINT, join(dataDir, 'user-pool.json'));
process.env.USER_POOL_ID = userPool.userPoolId;
process.env.USER_POOL_CLIENT_ID = userPool.clientId;
process.env.USER_POOL_REGION = userPool.region;
console.log(`user directory: ${userPool.endpoint} (pool ${userPool.userPoolId}, client ${userPool.clientId})`);
// Only now: the table's client reads the configuration once, and it must already name the user pool.
await ensureTable(table());

const jobs = startScheduledJobs();
// What follows a commit, read from the table's change stream as Lambda's event source mappings read it on AWS.
const stream = await startStreamConsumers(dataDir);
console.log(`listening on ${baseUrl}`);

/** How long requests in flight may take to finish once Ctrl-C is pressed; then every connection is closed. */
const requestGraceMs = 300;

let stopping = false;
async function shutDown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  jobs.stop();
  await stream.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A browser tab keeps sockets open, some that never carried a request: close() alone would wait for them.
  const grace = setTimeout(() => server.closeAllConnections(), requestGraceMs);
  await Promise.all([closed, stopEmulators()]);
  clearTimeout(grace);
  process.exit(0);
}

process.on('SIGINT', () => void shutDown());
process.on('SIGTERM', () => void shutDown());
