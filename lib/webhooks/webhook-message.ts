import { Webhook } from 'standardwebhooks';
import type { AuditEvent, WebhookPayload } from '@license-activation/contract/schemas';

/**
 * A delivery's body and headers, per the Standard Webhooks specification, signed by its reference
 * implementation: `webhook-id` the event's id (the same at every attempt and every endpoint),
 * `webhook-timestamp` the attempt's time, `webhook-signature` one `v1,…` per signing secret (two during a
 * rotation, separated by a space). The body is `{type, timestamp, data}`, `data` the event as the event
 * routes answer it.
 */

export function webhookBody(event: AuditEvent): string {
  const payload: WebhookPayload = { type: event.type, timestamp: event.createdAt, data: event };
  return JSON.stringify(payload);
}

export function webhookHeaders(args: { event: AuditEvent; body: string; secrets: readonly string[]; at: Date; userAgent: string }): Record<string, string> {
  const signature = args.secrets.map((secret) => new Webhook(secret).sign(args.event.id, args.at, args.body)).join(' ');
  return {
    'content-type': 'application/json',
    'user-agent': args.userAgent,
    'webhook-id': args.event.id,
    'webhook-timestamp': String(Math.floor(args.at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
