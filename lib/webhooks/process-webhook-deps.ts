import { secretBox } from '../keys/process-secret-box.js';
import { config } from '../platform/config.js';
import { table } from '../platform/dynamodb.js';
import { createEventBridgePublisher } from './event-bus.js';
import { secretOpener } from './secrets.js';
import { sendWebhook } from './send-webhook.js';
import { systemResolver } from './targets.js';
import type { TargetPolicy } from './targets.js';
import type { DeliveryDeps, WebhookDeps } from './webhook-deps.js';

/** The name deliveries and bus entries carry: `user-agent`, and the bus entries' `source`. */
export const webhookSource = 'license-activation';

/** Where this process may send webhooks: strict on AWS, `http://` and loopback too under `npm start`. */
export function processTargets(): TargetPolicy {
  return { allowLocal: config().webhookLocalTargets, resolve: systemResolver };
}

/** The process's dependencies for the webhook routes. */
export function processWebhookDeps(): WebhookDeps {
  return { table: table(), secretBox: secretBox(), targets: processTargets() };
}

let delivery: DeliveryDeps | undefined;

/** The process's dependencies for delivering, made once (the opened secrets are remembered across invocations). */
export function processDeliveryDeps(): DeliveryDeps {
  if (!delivery) {
    const settings = config();
    delivery = {
      ...processWebhookDeps(),
      send: sendWebhook,
      openSecrets: secretOpener(secretBox()),
      bus: settings.eventBusName ? createEventBridgePublisher(settings.region, settings.eventBusName, webhookSource) : undefined,
      userAgent: `${webhookSource}-webhooks/1`,
      random: Math.random,
    };
  }
  return delivery;
}
