import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamodbLocal } from '../../lib/local/dynamodb-local.js';
const db = await startDynamodbLocal();
try {
  execFileSync('node', ['--import', 'tsx', 'bench/tmp/profile-heartbeat.ts'], { stdio: ['ignore', 'inherit', 'inherit'], env: { PATH: process.env.PATH, N: process.env.N, DYNAMODB_ENDPOINT: db.endpoint, TABLE_NAME: `p-${randomUUID()}`, DATA_DIR: mkdtempSync(join(tmpdir(), 'p-')), SIGNER: 'local', SECRET_BOX: 'local', OPS_API_KEY: `lak_p-${randomUUID()}`, AWS_REGION: 'us-east-1', POWERTOOLS_SERVICE_NAME: 'x', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_NAMESPACE: 'x', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
} finally { await db.stop(); }
