/**
 * Runs before each test file: its own table in the shared DynamoDB Local, the run's user directory,
 * its own data folder, local keys, a fixed ops API key, and a quiet console.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, expect, inject, vi } from 'vitest';
import { readConfig, resetConfig } from '#lib/platform/config.js';
import { createTable, resetTable, table } from '#lib/platform/dynamodb.js';
import { ensureTable } from '#dev/ensure-table.js';
import { enforceTablePermissions } from '#dev/table-permissions.js';

/** A table per test file, so that no file sees another's data; named after the file to ease debugging. */
function tableNameFor(testPath: string | undefined): string {
  const file = basename(testPath ?? 'test').replace(/\.test\.ts$/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
  return `test-${file}-${randomUUID()}`;
}

const dataDir = mkdtempSync(join(tmpdir(), 'activation-test-'));
const userPool = inject('userPool');
Object.assign(process.env, {
  COGNITO_ENDPOINT: userPool.endpoint,
  USER_POOL_ID: userPool.userPoolId,
  USER_POOL_CLIENT_ID: userPool.clientId,
  USER_POOL_REGION: userPool.region,
  DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
  TABLE_NAME: tableNameFor(expect.getState().testPath),
  SIGNER: 'local',
  SECRET_BOX: 'local',
  DATA_DIR: dataDir,
  OPS_API_KEY: 'lak_test-ops-api-key-0000000000000000000000000000',
  // What test proofs name as htu (test/support/api.ts), wherever the server under test listens.
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  // Webhook receivers of the tests listen on 127.0.0.1 over http, as a developer's do under `npm start`.
  WEBHOOK_LOCAL_TARGETS: 'allow',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'us-east-1',
});
resetConfig();
resetTable();

// Created here rather than in a hook: a test file that mocks the SDK client at module scope would
// otherwise mock these calls too.
const { dynamodbEndpoint, region, tableName } = readConfig();
const setupTable = createTable({ endpoint: dynamodbEndpoint, region, tableName });
// Without its stream: a file that reads it turns it on (test/support/table-stream.ts).
await ensureTable(setupTable, { stream: false });
setupTable.client.destroy();
// Handlers run through test/support/api.ts meet their function's IAM table permissions, as on AWS.
enforceTablePermissions(table().client);

// No test resolves a real name: a webhook URL's host that a test does not resolve through a resolver of its own
// (test/integration/webhooks/ssrf.test.ts) does not resolve at all, as an unknown host would not.
vi.mock('node:dns/promises', () => ({
  lookup: (hostname: string) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname })),
}));

function quietConsole(): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(() => undefined);
  }
}
quietConsole();
// `restoreMocks` undoes every spy before each test: silence the console again.
beforeEach(quietConsole);

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});
