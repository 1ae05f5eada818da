/**
 * The service's own metrics, all counts, published as CloudWatch EMF under `POWERTOOLS_METRICS_NAMESPACE`
 * with the `service` dimension (`POWERTOOLS_SERVICE_NAME`). cdk/constructs/monitoring.ts graphs and alarms
 * on them. Requests and domain counts are published per request with three dimension sets:
 * `service`; `service`, `route`, `statusClass`; and, on problem answers, `service`, `code`. Jobs and stream
 * consumers (the webhook dispatcher) publish theirs per invocation, with `service` alone.
 */
export const metricNames = {
  /** Every answered request. */
  requests: 'Requests',
  /** Activations that took a slot (201), online or offline. */
  activationsCreated: 'ActivationsCreated',
  /** Activations an installation already held, answered again (200). */
  activationsRepeated: 'ActivationsRepeated',
  /** Answers 4xx, by problem code. */
  denials: 'Denials',
  /** New trials (201; a trial answered again is not counted). */
  trialsStarted: 'TrialsStarted',
  heartbeats: 'Heartbeats',
  /** Token signatures made (KMS `Sign` on AWS), retries included. */
  signatures: 'Signatures',
  /** Calls to the signing key that failed: signing, or reading its public key. */
  signingFailures: 'SigningFailures',
  /** Calls to the secret box key (KMS `Encrypt`/`Decrypt` on AWS) that failed. */
  secretBoxFailures: 'SecretBoxFailures',
  /** Webhook attempts that failed (not a 2xx within 15 seconds, or not sent). */
  webhookAttemptsFailed: 'WebhookAttemptsFailed',
  /** Webhook deliveries that ended failed: the schedule spent, or the endpoint disabled or gone. */
  webhookDeliveriesFailed: 'WebhookDeliveriesFailed',
  /** Webhook endpoints the service disabled (410, 5 days failing, their API key revoked). */
  webhookEndpointsDisabled: 'WebhookEndpointsDisabled',
  /** Events the sweep dispatched because the table's stream had not within a minute. */
  eventsSweptFromOutbox: 'EventsSweptFromOutbox',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/** The dimensions of the per-request dimension sets. */
export const metricDimensions = { route: 'route', statusClass: 'statusClass', code: 'code' } as const;
