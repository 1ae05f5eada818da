import type { SecretBox } from '../keys/secret-box.js';
import type { Table } from '../platform/dynamodb.js';
import type { SealedSecret } from '../data/webhook-endpoints.js';
import type { EventPublisher } from './event-bus.js';
import type { WebhookSender } from './send-webhook.js';
import type { TargetPolicy } from './targets.js';

/** What the webhook domain needs: the table, the secret box, where it may send and how, and the clock's randomness. */
export interface WebhookDeps {
  readonly table: Table;
  readonly secretBox: SecretBox;
  readonly targets: TargetPolicy;
}

/** What delivering needs besides: the sender, the opened secrets, the bus, jitter. */
export interface DeliveryDeps extends WebhookDeps {
  readonly send: WebhookSender;
  readonly openSecrets: (endpointId: string, secrets: readonly SealedSecret[]) => Promise<string[]>;
  /** The stack's EventBridge bus on AWS; none locally. */
  readonly bus: EventPublisher | undefined;
  /** The `user-agent` of every delivery: the service's name. */
  readonly userAgent: string;
  /** Draws the retry schedule's jitter (0 to 1). */
  readonly random: () => number;
}
