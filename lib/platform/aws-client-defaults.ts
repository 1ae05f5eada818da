/**
 * What every AWS client of the service shares: three attempts, and timeouts that really end a
 * request. Without `throwOnRequestTimeout` the SDK only logs a warning when `requestTimeout` passes,
 * and a connection that accepts but never answers would hang the function until Lambda kills it;
 * with it, the attempt fails, is retried, and at worst the caller gets 503 UNAVAILABLE.
 */
export const awsClientDefaults = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;

/**
 * Takes the SDK's logger middleware out of a client. The service configures no SDK logger, yet the
 * middleware still builds, after every call, a copy of its input and output filtered for a log line
 * that nobody writes (the schema walk over every attribute of every item): CPU on every request.
 */
export function withoutSdkLogging<C extends { readonly middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}
