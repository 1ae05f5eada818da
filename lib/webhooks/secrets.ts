import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../keys/secret-box.js';
import type { SealedSecret, WebhookEndpointRecord } from '../data/webhook-endpoints.js';

/**
 * An endpoint's signing secrets (API.md §9): `whsec_` and the base64 of 32 random bytes, the Standard
 * Webhooks form. Shown once, then kept only sealed by the secret box (KMS on AWS), as an idempotent replay's
 * license key is. A rotated-out secret keeps signing beside the new one for 24 hours; after two rotations
 * within 24 hours the oldest stops.
 */

const secretPrefix = 'whsec_';
/** How long a rotated-out secret keeps signing. */
export const rotationOverlapMs = 24 * 60 * 60 * 1000;

export function generateWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`;
}

/** The context a secret is sealed under: it opens only for its own endpoint. */
const contextOf = (endpointId: string) => ({ purpose: 'webhook-secret', endpointId });

export async function sealWebhookSecret(box: SecretBox, endpointId: string, secret: string, now: Date): Promise<SealedSecret> {
  return { sealed: await box.seal(secret, contextOf(endpointId)), createdAt: now.toISOString() };
}

/** The secrets after a rotation: the new one, then the current one until 24 hours from now; any older one is dropped. */
export function rotatedSecrets(current: readonly SealedSecret[], fresh: SealedSecret, now: Date): SealedSecret[] {
  const [previous] = current;
  return previous ? [fresh, { sealed: previous.sealed, createdAt: previous.createdAt, retiresAt: new Date(now.getTime() + rotationOverlapMs).toISOString() }] : [fresh];
}

/** The secrets that sign at `now`, newest first. */
export function signingSecrets(endpoint: Pick<WebhookEndpointRecord, 'secrets'>, now: Date): SealedSecret[] {
  return endpoint.secrets.filter((secret) => secret.retiresAt === undefined || secret.retiresAt > now.toISOString());
}

/**
 * Opens sealed secrets, remembering the opened ones for the process's life: a worker signs many deliveries
 * of the same endpoint with one KMS Decrypt. Plain secrets stay in memory only.
 */
export function secretOpener(box: SecretBox): (endpointId: string, secrets: readonly SealedSecret[]) => Promise<string[]> {
  const opened = new Map<string, Promise<string>>();
  return (endpointId, secrets) =>
    Promise.all(
      secrets.map((secret) => {
        let plain = opened.get(secret.sealed);
        if (!plain) {
          plain = box.open(secret.sealed, contextOf(endpointId));
          plain.catch(() => opened.delete(secret.sealed));
          opened.set(secret.sealed, plain);
        }
        return plain;
      }),
    );
}
