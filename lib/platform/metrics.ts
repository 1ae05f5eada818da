import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricDimensions } from './metric-names.js';
import type { MetricName } from './metric-names.js';

let shared: Metrics | null | undefined;

/**
 * The process's metrics: Powertools Metrics, which buffers counts and writes them to stdout as one EMF
 * line per request, and CloudWatch turns into metrics. Only where a namespace says where they go
 * (`POWERTOOLS_METRICS_NAMESPACE`, set on every function by the stack): the local service and the tests
 * count nothing and print nothing. Powertools itself also stays silent under
 * `POWERTOOLS_METRICS_DISABLED=true`, or under `POWERTOOLS_DEV=true` unless that variable says otherwise.
 */
function metrics(): Metrics | null {
  shared ??= process.env.POWERTOOLS_METRICS_NAMESPACE ? new Metrics() : null;
  return shared;
}

/** Counts one of `name` in the request being answered. Lambda runs one request at a time per process. */
export function count(name: MetricName): void {
  metrics()?.addMetric(name, MetricUnit.Count, 1);
}

/** Awaits `operation`, counting one of `name` if it fails. */
export async function countingFailures<T>(name: MetricName, operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    count(name);
    throw error;
  }
}

/**
 * Publishes what the request counted, with the dimensions of its answer: its route and status class,
 * and its problem code if it has one.
 */
export function publishRequestMetrics(answer: { route: string; status: number; code?: string }): void {
  const current = metrics();
  if (!current) return;
  current.addDimension(metricDimensions.route, answer.route);
  current.addDimension(metricDimensions.statusClass, `${Math.floor(answer.status / 100)}xx`);
  current.addDimensions({});
  if (answer.code) current.addDimensions({ [metricDimensions.code]: answer.code });
  current.publishStoredMetrics();
}

/** Publishes what a job or stream consumer invocation counted, with the `service` dimension alone. */
export function publishJobMetrics(): void {
  metrics()?.publishStoredMetrics();
}

/** Forget the metrics: tests that change the environment call this. */
export function resetMetrics(): void {
  shared = undefined;
}
