import { getDelivery, replaceDeliveryIfUnchanged } from '../data/webhook-deliveries.js';
import type { DeliveryRecord, DeliveryRef } from '../data/webhook-deliveries.js';
import { getEndpoint, recordEndpointHealth } from '../data/webhook-endpoints.js';
import type { WebhookEndpointRecord } from '../data/webhook-endpoints.js';
import { count } from '../platform/metrics.js';
import { metricNames } from '../platform/metric-names.js';
import { abandoned, decideAfterAttempt } from './retry-schedule.js';
import { signingSecrets } from './secrets.js';
import { attemptTimeoutMs } from './send-webhook.js';
import type { DeliveryDeps } from './webhook-deps.js';
import { ownerStillReads } from './dispatch.js';
import { webhookBody, webhookHeaders } from './webhook-message.js';

/**
 * One attempt of one delivery, if it is due: read it and its endpoint, check the endpoint still takes it
 * (there, enabled — or asked for by its owner — and still allowed to see the event), claim it for the
 * attempt's lease, send, and record the outcome on the delivery and the endpoint. A worker that dies
 * mid-attempt leaves the delivery due again when the lease ends: at least once, never lost.
 */

/** How long a claimed attempt may take before another worker may make it again: the send's timeout, and margin. */
export const attemptLeaseMs = attemptTimeoutMs * 2;

export interface AttemptResult {
  /** When the delivery is due next, if it is still pending. */
  readonly nextAttemptAt?: string;
}

/** Why a due delivery gets no attempt, or undefined when it gets one. */
async function reasonNotToSend(deps: DeliveryDeps, delivery: DeliveryRecord, endpoint: WebhookEndpointRecord | undefined): Promise<string | undefined> {
  if (!endpoint) return 'not sent: the endpoint was deleted';
  if (!endpoint.enabled && delivery.requested !== 'test' && delivery.requested !== 'retry') {
    return `not sent: the endpoint is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}`;
  }
  // Access is checked again at each attempt, only ever to drop: a reseller's association may have ended.
  if (!(await ownerStillReads(deps.table, endpoint, delivery))) return "not sent: the endpoint's owner no longer sees this event";
  return undefined;
}

export async function attemptDelivery(deps: DeliveryDeps, ref: DeliveryRef, now: Date): Promise<AttemptResult> {
  const delivery = await getDelivery(deps.table, ref.endpointId, ref.eventId);
  if (!delivery || delivery.status !== 'pending' || delivery.nextAttemptAt === undefined) return {};
  if (delivery.nextAttemptAt > now.toISOString()) return { nextAttemptAt: delivery.nextAttemptAt };
  const endpoint = await getEndpoint(deps.table, delivery.ownerKey, delivery.endpointId);
  const notSent = await reasonNotToSend(deps, delivery, endpoint);
  if (notSent || !endpoint) {
    if (await replaceDeliveryIfUnchanged(deps.table, abandoned(delivery, notSent ?? ''), delivery, now)) count(metricNames.webhookDeliveriesFailed);
    return {};
  }
  const leaseEnd = new Date(now.getTime() + attemptLeaseMs).toISOString();
  const claimed: DeliveryRecord = { ...delivery, nextAttemptAt: leaseEnd };
  if (!(await replaceDeliveryIfUnchanged(deps.table, claimed, delivery, now))) return {};

  const secrets = await deps.openSecrets(endpoint.id, signingSecrets(endpoint, now));
  const body = webhookBody(delivery.event);
  const startedAt = Date.now();
  const outcome = await deps.send({ url: endpoint.url, body, headers: webhookHeaders({ event: delivery.event, body, secrets, at: now, userAgent: deps.userAgent }) }, deps.targets);
  const endedAt = new Date(now.getTime() + (Date.now() - startedAt));
  const decision = decideAfterAttempt(claimed, endpoint, outcome, endedAt, deps.random);
  // Our lease may have ended and another worker sent it meanwhile: then its outcome stands, not ours.
  if (!(await replaceDeliveryIfUnchanged(deps.table, decision.delivery, claimed, endedAt))) return {};
  // A success of an endpoint that was not failing changes nothing on it: no write.
  if (!(decision.endpoint.recovered && endpoint.failingSince === undefined)) await recordEndpointHealth(deps.table, endpoint, decision.endpoint);
  if (!outcome.ok) count(metricNames.webhookAttemptsFailed);
  if (decision.delivery.status === 'failed') count(metricNames.webhookDeliveriesFailed);
  if (decision.endpoint.disable) count(metricNames.webhookEndpointsDisabled);
  return decision.delivery.status === 'pending' ? { nextAttemptAt: decision.delivery.nextAttemptAt } : {};
}
