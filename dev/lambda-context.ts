import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { localAccountId } from './api-gateway-event.js';

/** API Gateway's longest integration timeout: what `getRemainingTimeInMillis` counts down from by default. */
const defaultTimeoutMs = 29_000;

function callbacksUnsupported(): never {
  throw new TypeError('the functions are async handlers: they return a promise instead of calling context.done/fail/succeed');
}

/**
 * The Lambda `Context` a function gets when it runs outside Lambda (the local service, `npm run invoke`,
 * tests, the bench): a fresh request id and a clock that counts down from the invocation's start.
 */
export function lambdaContext(
  functionName: string,
  options: { readonly region?: string; readonly startedAt?: number; readonly timeoutMs?: number; readonly logStream?: string } = {},
): Context {
  const { region = 'us-east-1', startedAt = Date.now(), timeoutMs = defaultTimeoutMs, logStream = `local/[$LATEST]${process.pid}` } = options;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${localAccountId}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: logStream,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + timeoutMs - Date.now()),
    done: callbacksUnsupported,
    fail: callbacksUnsupported,
    succeed: callbacksUnsupported,
  };
}
