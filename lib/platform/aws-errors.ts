/**
 * Which AWS faults mean "try again later" (503 UNAVAILABLE) rather than a bug (500 INTERNAL).
 * The SDK has already retried these; reaching the handler means the retries ran out.
 */
const transientNames = new Set([
  // DynamoDB
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ServiceUnavailable',
  // KMS
  'KMSInternalException',
  'KMSInvalidStateException',
  'KeyUnavailableException',
  'DependencyTimeoutException',
  'LimitExceededException',
  // A disabled, deleted or no longer granted key (lib/keys/key-faults.ts): ops must act, callers retry.
  'KeyUnavailableError',
  // Secrets Manager
  'InternalServiceError',
  // Network and timeouts
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const transientSystemCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as AwsLikeError;
  if (typeof candidate.name === 'string' && transientNames.has(candidate.name)) return true;
  if (typeof candidate.code === 'string' && transientSystemCodes.has(candidate.code)) return true;
  if (candidate.$retryable) return true;
  if (candidate.$fault === 'server') return true;
  const status = candidate.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}
