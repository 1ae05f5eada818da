import type { TestProject } from 'vitest/node';
import { startDynamodbLocal } from '#dev/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The one in-memory DynamoDB Local of a test run; every test file gets its own table in it. */
    dynamodbEndpoint: string;
  }
}

/** vitest globalSetup: one DynamoDB Local for the whole run, stopped when the run ends. */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests run on the local Node (20); the SDK's notice that it will need Node 22, as Lambda runs, is noise here.
  // Set before the first client, and before the test workers start, which inherit it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dynamodb = await startDynamodbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
