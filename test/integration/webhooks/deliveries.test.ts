import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { call } from '../../support/api.js';
import { registerCustomer } from '../../support/scenario.js';
import { addEndpoint, startTestDispatcher, verified } from '../../support/webhooks.js';
import type { TestDispatcher } from '../../support/webhooks.js';
import { startReceiver } from '../../support/webhook-receiver.js';
import type { TestReceiver } from '../../support/webhook-receiver.js';

let dispatcher: TestDispatcher;
const receivers: TestReceiver[] = [];
beforeAll(async () => {
  dispatcher = await startTestDispatcher();
});
afterAll(async () => {
  await dispatcher.stop();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

describe('webhook deliveries', () => {
  it('signs a vendor-wide delivery of an account.created so that standardwebhooks verifies it, data exactly the event as the feed answers it', async () => {
    // Prepare
    const inbox = await receiver();
    const { secret } = await addEndpoint(opsPrincipal, { url: inbox.url, types: ['account.created'] });
    // Act
    const customer = await registerCustomer();
    await dispatcher.settled();
    // Assess
    const [delivery] = await inbox.waitFor(1);
    const payload = verified(delivery!, secret);
    const feed = await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: opsPrincipal, params: { customerId: customer.account.id } });
    const created = feed.body.items.find((event) => event.type === 'account.created');
    expect(payload).toEqual({ type: 'account.created', timestamp: created?.createdAt, data: created });
    expect(delivery?.headers['webhook-id']).toBe(created?.id);
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['user-agent']).toMatch(/^license-activation/);
  });
});
