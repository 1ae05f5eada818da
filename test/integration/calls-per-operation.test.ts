import { randomUUID } from 'node:crypto';
import { SignCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { resetSigner } from '#lib/keys/process-signer.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { call, newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { fakeKms } from '../support/fake-kms.js';
import { issueLicense, machine, registerCustomer } from '../support/scenario.js';
import { verifyLicenseToken } from '../support/tokens.js';
import { activateAt, at, dayMs, installationId } from '../support/clocked.js';

// Which DynamoDB commands an operation sends, in order, counted by middleware on the real client.
const sent: string[] = [];
// The items of each TransactWriteItems, by what their keys name (the write units an operation costs).
const transacted: string[][] = [];
let kms: ReturnType<typeof fakeKms>['kms'];

beforeAll(() => {
  vi.stubEnv('SIGNER', 'kms');
  vi.stubEnv('SIGNING_KEY_ID', 'alias/license-signing');
  resetConfig();
  resetSigner();
  kms = fakeKms().kms;
  table().client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      const items = (args.input as { TransactItems?: Array<Record<string, { Key?: { sk?: unknown }; Item?: { sk?: unknown } }>> }).TransactItems;
      if (items) transacted.push(items.map((item) => Object.entries(item).map(([kind, operation]) => `${kind} ${String((operation.Key ?? operation.Item)?.sk).split('#')[0]}`)[0] ?? ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});

afterAll(() => {
  table().client.middlewareStack.remove('countCommands');
  kms.restore();
  vi.unstubAllEnvs();
  resetConfig();
  resetSigner();
});

async function measure<T>(operation: () => Promise<T>): Promise<{ result: T; dynamodb: string[]; signatures: number }> {
  sent.length = 0;
  transacted.length = 0;
  const before = kms.commandCalls(SignCommand).length;
  const result = await operation();
  return { result, dynamodb: [...sent], signatures: kms.commandCalls(SignCommand).length - before };
}

describe('calls per operation', () => {
  it('activates with one read of license and installation, one transaction and one KMS signature', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 5 });
    const installation = await newInstallation();
    const { result, dynamodb, signatures } = await measure(() =>
      call<{ token: string }>('activate', { installation, body: { key, productId: 'authserver', ...machine() } }),
    );
    expect(result.status).toBe(201);
    expect(dynamodb).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    // The activation, the license's slot, the installation (which spends the proof), the event in the customer's and the
    // license's feeds, and the check that the installation's failed keys still admit an attempt (API.md §6).
    expect(transacted[0]?.sort()).toEqual(['ConditionCheck KEY_FAILURES', 'Put ACTIVATION', 'Put EVENT', 'Put EVENT', 'Put INSTALLATION', 'Update LICENSE']);
    expect(signatures).toBe(1);
    expect(await verifyLicenseToken(result.body.token, 'authserver')).toMatchObject({ mode: 'full' });
  });

  it('reclaims a lapsed slot only on a full license: one Query more, in the same transaction', async () => {
    // Injected clock: the first modeler activation has lapsed 14 days and one second later.
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', maxActivations: 1 });
    const start = new Date(Date.now() + 60_000);
    const free = await measure(() => activateAt(start, installationId(), { key }));
    expect(free.dynamodb).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    const reclaim = await measure(() => activateAt(at(start, 14 * dayMs + 1000), installationId(), { key }));
    expect(reclaim.result.created).toBe(true);
    expect(reclaim.dynamodb).toEqual(['BatchGetItemCommand', 'QueryCommand', 'TransactWriteItemsCommand']);
    expect(reclaim.signatures).toBe(1);
  });

  it('heartbeats with one read, one transaction and one KMS signature, the chain kept in the installation item', async () => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 5 });
    const installation = await newInstallation();
    const activated = await call<{ token: string }>('activate', { installation, body: { key, productId: 'authserver', ...machine() } });
    // As a client sends it: the chain of its newest token, and an Idempotency-Key.
    const heartbeatOf = async (token: string, activeUsers: number) =>
      call<{ token: string }>('heartbeat', {
        installation,
        params: { installationId: installation.id },
        headers: { 'Idempotency-Key': randomUUID() },
        body: { version: '5.1.0', usage: { activeUsers }, chain: (await verifyLicenseToken(token, 'authserver')).chain },
      });
    const { result, dynamodb, signatures } = await measure(() => heartbeatOf(activated.body.token, 3));
    expect(result.status).toBe(200);
    expect(dynamodb).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    // The installation (which spends the proof and keeps the chain), the activation's lastSeenAt and token exp, and the license's status unchanged.
    expect(transacted[0]?.sort()).toEqual(['ConditionCheck LICENSE', 'Put INSTALLATION', 'Update ACTIVATION']);
    expect(signatures).toBe(1);
    // The next one presents the head and decides the same: recorded the same way and answered with the head's token, no signature.
    const again = await measure(() => heartbeatOf(result.body.token, 4));
    expect(again.result).toMatchObject({ status: 200, body: { token: result.body.token } });
    expect(again.dynamodb).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    expect(transacted[0]?.sort()).toEqual(['ConditionCheck LICENSE', 'Put INSTALLATION', 'Update ACTIVATION']);
    expect(again.signatures).toBe(0);
  });

  it.each([
    ['signed by another key', async (installation: TestInstallation) => (await newInstallation()).proof('POST', `/v1/installations/${installation.id}/heartbeat`)],
    ['for another path', (installation: TestInstallation) => installation.proof('POST', '/v1/trials')],
    ['too old', (installation: TestInstallation) => installation.proof('POST', `/v1/installations/${installation.id}/heartbeat`, { iat: Math.floor(Date.now() / 1000) - 3600 })],
  ])('refuses a heartbeat whose proof is %s before it reads anything', async (_, proofOf) => {
    const customer = await registerCustomer();
    const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const installation = await newInstallation();
    await call('activate', { installation, body: { key, productId: 'authserver', ...machine() } });
    const dpop = await proofOf(installation);
    const { result, dynamodb } = await measure(() =>
      call('heartbeat', { params: { installationId: installation.id }, headers: { DPoP: dpop }, body: { version: '5.1.0', usage: { activeUsers: 3 } } }),
    );
    expect(result.status).toBe(401);
    expect(dynamodb).toEqual([]);
  });

  it('starts a trial with one read, one transaction and one KMS signature', async () => {
    const installation = await newInstallation();
    const { result, dynamodb, signatures } = await measure(() => call('startTrial', { installation, body: { productId: 'authserver', ...machine() } }));
    expect(result.status).toBe(201);
    // The read takes the installation and its proof ledger together: a new item starts with the ledger's proofs.
    expect(dynamodb).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(signatures).toBe(1);
  });
});
