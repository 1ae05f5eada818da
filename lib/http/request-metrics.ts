import { metricNames } from '../platform/metric-names.js';
import type { MetricName } from '../platform/metric-names.js';
import { count, publishRequestMetrics } from '../platform/metrics.js';
import type { ErrorCode } from '@license-activation/contract/problem';
import type { RouteId } from '@license-activation/contract/routes';

/** What an answer means for the business, from its route and status alone. */
export function domainCounts(route: RouteId | undefined, status: number): MetricName[] {
  if (status >= 400 && status < 500) return [metricNames.denials];
  switch (route) {
    case 'activate':
    case 'offlineActivate':
      if (status === 201) return [metricNames.activationsCreated];
      return status === 200 ? [metricNames.activationsRepeated] : [];
    case 'startTrial':
      return status === 201 ? [metricNames.trialsStarted] : [];
    case 'heartbeat':
      return status === 200 ? [metricNames.heartbeats] : [];
    default:
      return [];
  }
}

/** Counts an answered request and its domain counts, and publishes them with whatever the request counted meanwhile. */
export function countAnswer(answer: { route?: RouteId; status: number; code?: ErrorCode }): void {
  count(metricNames.requests);
  for (const name of domainCounts(answer.route, answer.status)) count(name);
  publishRequestMetrics({ route: answer.route ?? 'none', status: answer.status, code: answer.code });
}
