import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';
import { ensureLocalUserPool, startCognitoLocal } from '#dev/cognito-local.js';
import type { LocalUserPool } from '#dev/cognito-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The one in-memory DynamoDB Local of a test run; every test file gets its own table in it. */
    dynamodbEndpoint: string;
    /** The one cognito-local of a test run, with one user pool and app client: the user directory. */
    userPool: LocalUserPool;
  }
}

/** The confirmation code cognito-local sends every person in tests. */
export const testConfirmationCode = '123456';

/** vitest globalSetup: one DynamoDB Local and one cognito-local for the whole run, stopped when the run ends. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directoryData = await mkdtemp(join(tmpdir(), 'cognito-local-test-'));
  const [dynamodb, cognito] = await Promise.all([startDynamodbLocal(), startCognitoLocal({ dataDir: directoryData, fixedCode: testConfirmationCode })]);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('userPool', await ensureLocalUserPool(cognito.endpoint, join(directoryData, 'user-pool.json')));
  return async () => {
    await Promise.all([dynamodb.stop(), cognito.stop()]);
    await rm(directoryData, { recursive: true, force: true });
  };
}
