import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { findFreePort } from '#dev/dynamodb-local.js';
import { cleanUpServices, newDataDir, startService, stopService } from '../../support/npm-start.js';
import { verified } from '../../support/webhooks.js';
import { startReceiver } from '../../support/webhook-receiver.js';
import type { TestReceiver } from '../../support/webhook-receiver.js';

// At least once, nothing lost (API.md §9): `npm start` killed with SIGKILL right after an event's commit,
// before its delivery could be made (its receiver is not even listening yet), delivers it when it runs again.

let inbox: TestReceiver | undefined;
afterEach(async () => {
  await inbox?.close();
  await cleanUpServices();
});

const post = async <T>(baseUrl: string, path: string, apiKey: string, body: unknown): Promise<T> => {
  const answer = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(answer.status, path).toBeLessThan(300);
  return (await answer.json()) as T;
};

describe('npm start and webhooks', () => {
  it('delivers an event committed just before a kill -9 once the service runs again, with its event id as webhook-id, once', async () => {
    // Prepare: a vendor-wide endpoint whose receiver is not listening yet.
    const dataDir = newDataDir();
    const receiverPort = await findFreePort();
    const first = await startService({ DATA_DIR: dataDir });
    const opsKey = readFileSync(join(dataDir, 'ops-api-key'), 'utf8').trim();
    const { secret } = await post<{ secret: string }>(first.baseUrl, '/v1/admin/webhook-endpoints', opsKey, { url: `http://127.0.0.1:${receiverPort}/hooks`, types: ['account.created'] });

    // Act: commit, and kill at once.
    const { account } = await post<{ account: { id: string } }>(first.baseUrl, '/v1/accounts/register', '', { name: 'Committed Ltd', email: 'it@committed.example' });
    expect((await stopService(first, 'SIGKILL')).signal).toBe('SIGKILL');
    inbox = await startReceiver(undefined, receiverPort);
    const second = await startService({ DATA_DIR: dataDir });

    // Assess
    const [delivery] = await inbox.waitFor(1, 90_000);
    const events = (await (await fetch(`${second.baseUrl}/v1/admin/customers/${account.id}/events`, { headers: { authorization: `Bearer ${opsKey}` } })).json()) as { items: AuditEvent[] };
    const created = events.items.find((event) => event.type === 'account.created');
    expect(delivery?.headers['webhook-id']).toBe(created?.id);
    expect(verified(delivery!, secret)).toEqual({ type: 'account.created', timestamp: created?.createdAt, data: created });
    // Once: neither the stream's replay nor the sweep sends it again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(inbox.received).toHaveLength(1);
  }, 180_000);
});
