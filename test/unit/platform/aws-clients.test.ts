import { describe, expect, it } from 'vitest';
import { createTable } from '#lib/platform/dynamodb.js';
import { createKmsClient } from '#lib/platform/kms-client.js';

const middlewareNames = (stack: { identify(): string[] }) => stack.identify().map((entry) => entry.split(' - ')[0]);

describe('AWS clients', () => {
  it('run without the SDK logger middleware, which would filter every input and output for a log nobody writes', () => {
    const { client } = createTable({ region: 'us-east-1', tableName: 'any', endpoint: 'http://127.0.0.1:1' });
    expect(middlewareNames(client.middlewareStack)).not.toContain('loggerMiddleware');
    expect(middlewareNames(client.middlewareStack)).toContain('retryMiddleware');
    expect(middlewareNames(createKmsClient('us-east-1').middlewareStack)).not.toContain('loggerMiddleware');
  });
});
