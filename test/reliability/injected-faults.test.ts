import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { config, resetConfig } from '#lib/platform/config.js';
import { resetTable, table } from '#lib/platform/dynamodb.js';
import { getInstallation } from '#lib/data/installations.js';
import { resetSecretBox } from '#lib/keys/process-secret-box.js';
import { resetSigner, signer } from '#lib/keys/process-signer.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { authenticateApiKey } from '#lib/auth/authenticate-api-key.js';
import type { License } from '@license-activation/contract/schemas';
import { ensureTable } from '#dev/ensure-table.js';
import { call, newInstallation } from '../support/api.js';
import type { CallResult, TestInstallation } from '../support/api.js';
import { faultsFor, FaultInjector } from '../support/fault-injection.js';
import type { AwsCall, Fault } from '../support/fault-injection.js';
import { ledgerViolations } from '../support/ledger.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../support/scenario.js';
import type { TestAccount } from '../support/scenario.js';
import { changesBetween, changeShape, takeSnapshot } from '../support/table-snapshot.js';
import type { Snapshot } from '../support/table-snapshot.js';

// Every operation that writes, with each of its AWS calls failing in turn, in every way that call can
// fail. The operation otherwise really runs against DynamoDB Local, and signs through a KMS that
// really signs. Whatever fails, the caller gets its answer or 503 UNAVAILABLE with Retry-After (never
// a 500), and the table holds the whole change or none of it.

type Answer = CallResult<{ code?: string }>;
type Request = () => Promise<Answer>;

interface Operation {
  readonly name: string;
  readonly succeeds: number;
  /**
   * Also run it through an outage of its commit (every attempt times out; every transaction conflicts).
   * That path is the same retry loop for every operation, so one operation of each kind shows it.
   */
  readonly outage?: true;
  /** Builds what one run needs (before any fault is armed) and returns that run's request. */
  prepare(): Promise<Request>;
}

let injector: FaultInjector;
let reseller: TestAccount;
let customer: TestAccount;
let fileTable: string;

beforeAll(async () => {
  fileTable = config().tableName;
  vi.stubEnv('SIGNER', 'kms');
  vi.stubEnv('SIGNING_KEY_ID', 'alias/license-signing');
  vi.stubEnv('SECRET_BOX', 'kms');
  vi.stubEnv('ENCRYPTION_KEY_ID', 'alias/license-keys');
  resetConfig();
  resetSigner();
  resetSecretBox();
  injector = new FaultInjector();
  // A warm Lambda: the signer has fetched its public key once, so no run starts with that call.
  await signer().keyId();
});

/** Each operation gets a table of its own, so the snapshots it compares stay small. */
async function freshWorld(name: string): Promise<void> {
  vi.stubEnv('TABLE_NAME', `${fileTable}-${name.replace(/[^A-Za-z0-9]+/g, '-')}`);
  resetConfig();
  resetTable();
  await ensureTable(table());
  injector.watch(table());
  reseller = await createReseller();
  customer = await createCustomerOf(reseller);
  // A key's use is recorded at most once an hour, on its first use: done here, so that the operations
  // that take the customer's key write only their own items.
  await authenticateApiKey(customer.apiKey, { table: table(), opsApiKey: async () => undefined });
}

afterAll(() => {
  injector.remove();
  vi.unstubAllEnvs();
  resetConfig();
  resetTable();
  resetSigner();
  resetSecretBox();
});

const account = () => ({ name: `Account ${randomUUID()}`, email: `it-${randomUUID()}@example.com` });
const newLicense = (input: { maxActivations?: number } = {}) => issueLicense(reseller.principal, { customerId: customer.account.id, ...input });
const activation = (installation: TestInstallation, key: string) => call('activate', { installation, body: { key, productId: 'authserver', ...machine() } });

async function activated(): Promise<{ installation: TestInstallation; license: License }> {
  const { license, key } = await newLicense();
  const installation = await newInstallation();
  expect((await activation(installation, key)).status).toBe(201);
  return { installation, license };
}

const operations: readonly Operation[] = [
  { name: 'registration', succeeds: 201, outage: true, prepare: async () => () => call('registerAccount', { body: account() }) },
  { name: 'reseller creation', succeeds: 201, prepare: async () => () => call('createReseller', { as: opsPrincipal, body: account() }) },
  { name: 'customer creation by a reseller', succeeds: 201, prepare: async () => () => call('createCustomer', { as: reseller.principal, body: account() }) },
  {
    name: 'association',
    succeeds: 201,
    outage: true,
    prepare: async () => {
      const stranger = await registerCustomer();
      return () => call('addAssociation', { as: opsPrincipal, body: { resellerId: reseller.account.id, customerId: stranger.account.id } });
    },
  },
  {
    name: 'association removal',
    succeeds: 204,
    prepare: async () => {
      const managed = await createCustomerOf(reseller);
      return () => call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: managed.account.id } });
    },
  },
  {
    name: 'issuance',
    succeeds: 201,
    prepare: async () => {
      // A reseller of its own: its first issue creates its budget count, the same in every run.
      const issuer = await createReseller();
      const managed = await createCustomerOf(issuer);
      return () => call('issueLicense', { as: issuer.principal, body: { customerId: managed.account.id, productId: 'authserver', type: 'users' } });
    },
  },
  {
    name: 'issuance with an Idempotency-Key',
    succeeds: 201,
    outage: true,
    prepare: async () => {
      const headers = { 'Idempotency-Key': randomUUID() };
      const issuer = await createReseller();
      const managed = await createCustomerOf(issuer);
      return () => call('issueLicense', { as: issuer.principal, headers, body: { customerId: managed.account.id, productId: 'vault', type: 'users', quantity: 5 } });
    },
  },
  {
    name: 'replay of an Idempotency-Key',
    succeeds: 201,
    prepare: async () => {
      const request = { as: reseller.principal, headers: { 'Idempotency-Key': randomUUID() }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users' } };
      expect((await call('issueLicense', request)).status).toBe(201);
      return () => call('issueLicense', request);
    },
  },
  ...(['suspend', 'reinstate', 'revoke'] as const).map(
    (action): Operation => ({
      name: action,
      succeeds: 200,
      ...(action === 'suspend' ? { outage: true as const } : {}),
      prepare: async () => {
        const params = { licenseId: (await newLicense()).license.id };
        if (action === 'reinstate') expect((await call('suspendLicense', { as: reseller.principal, params })).status).toBe(200);
        return () => call(`${action}License`, { as: reseller.principal, params });
      },
    }),
  ),
  {
    // The secret sealed by KMS, then the endpoint and its owner's count in one transaction.
    name: 'webhook endpoint creation',
    succeeds: 201,
    outage: true,
    prepare: async () => {
      // An owner of its own: its first endpoint creates its count, the same in every run.
      const owner = await registerCustomer();
      return () => call('createWebhookEndpoint', { as: owner.principal, body: { url: 'http://127.0.0.1:9/hooks', types: ['license.issued'] } });
    },
  },
  {
    name: 'webhook secret rotation',
    succeeds: 200,
    prepare: async () => {
      const owner = await registerCustomer();
      const created = await call<{ endpoint: { id: string } }>('createWebhookEndpoint', { as: owner.principal, body: { url: 'http://127.0.0.1:9/hooks' } });
      return () => call('rotateWebhookSecret', { as: owner.principal, params: { endpointId: created.body.endpoint.id } });
    },
  },
  {
    name: 'webhook test',
    succeeds: 202,
    prepare: async () => {
      const owner = await registerCustomer();
      const created = await call<{ endpoint: { id: string } }>('createWebhookEndpoint', { as: owner.principal, body: { url: 'http://127.0.0.1:9/hooks' } });
      return () => call('testWebhookEndpoint', { as: owner.principal, params: { endpointId: created.body.endpoint.id } });
    },
  },
  {
    name: 'trial',
    succeeds: 201,
    prepare: async () => {
      const installation = await newInstallation();
      return () => call('startTrial', { installation, body: { productId: 'authserver', ...machine() } });
    },
  },
  {
    name: 'activation by key',
    succeeds: 201,
    outage: true,
    prepare: async () => {
      const { key } = await newLicense();
      const installation = await newInstallation();
      return () => activation(installation, key);
    },
  },
  {
    name: 'activation ending a trial',
    succeeds: 201,
    prepare: async () => {
      const { key } = await newLicense();
      const installation = await newInstallation();
      expect((await call('startTrial', { installation, body: { productId: 'authserver', ...machine() } })).status).toBe(201);
      return () => activation(installation, key);
    },
  },
  {
    name: "activation by licenseId on the customer's behalf",
    succeeds: 201,
    prepare: async () => {
      const { license } = await newLicense();
      const installation = await newInstallation();
      const headers = { Authorization: `Bearer ${customer.apiKey}` };
      return () => call('activate', { installation, headers, body: { licenseId: license.id, productId: 'authserver', ...machine() } });
    },
  },
  {
    name: 'repeated activation',
    succeeds: 200,
    prepare: async () => {
      const { key } = await newLicense();
      const installation = await newInstallation();
      expect((await activation(installation, key)).status).toBe(201);
      return () => activation(installation, key);
    },
  },
  {
    name: 'heartbeat',
    succeeds: 200,
    outage: true,
    prepare: async () => {
      const { installation } = await activated();
      return () => call('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.1.0', usage: { activeUsers: 3 } } });
    },
  },
  {
    name: 'release by the installation',
    succeeds: 204,
    outage: true,
    prepare: async () => {
      const { installation, license } = await activated();
      return () => call('releaseActivation', { installation, params: { installationId: installation.id, licenseId: license.id } });
    },
  },
  {
    name: 'release by the customer',
    succeeds: 204,
    prepare: async () => {
      const { installation, license } = await activated();
      const headers = { Authorization: `Bearer ${customer.apiKey}` };
      return () => call('releaseActivation', { headers, params: { installationId: installation.id, licenseId: license.id } });
    },
  },
  {
    name: 'offline activation',
    succeeds: 201,
    prepare: async () => {
      const { key } = await newLicense();
      const installation = await newInstallation();
      const request = await installation.sign('activation-request+jwt', { key, productId: 'authserver', ...machine(), iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
      return () => call('offlineActivate', { body: { request } });
    },
  },
  {
    name: 'restore (the proof it spends)',
    succeeds: 200,
    prepare: async () => {
      const { installation } = await activated();
      return () => call('getInstallation', { installation, params: { installationId: installation.id } });
    },
  },
  {
    name: 'heartbeat that forks (with its event)',
    succeeds: 200,
    prepare: async () => {
      const { installation } = await activated();
      const body = { version: '5.1.0', usage: { activeUsers: 3 }, chain: 'a-chain-this-installation-never-had' };
      return () => call('heartbeat', { installation, params: { installationId: installation.id }, headers: { 'Idempotency-Key': randomUUID() }, body });
    },
  },
  {
    name: "an owner's restore (a fork)",
    succeeds: 200,
    prepare: async () => {
      // A license ending tomorrow ends every token then: the restore's token records the same exp in whatever
      // second it runs (it renews no lease), so a clean run and a faulted one change the same items.
      const { key } = await issueLicense(reseller.principal, { customerId: customer.account.id, expiresAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString() });
      const installation = await newInstallation();
      expect((await activation(installation, key)).status).toBe(201);
      return () => call('restoreInstallation', { as: customer.principal, params: { installationId: installation.id } });
    },
  },
  {
    name: 'clear-clone by the issuing reseller',
    succeeds: 200,
    prepare: async () => {
      // The owner restores a server from nothing (a fork); the old one presents the head it replaced: a clone.
      const { installation } = await activated();
      const head = (await getInstallation(table(), installation.id))?.chain?.head;
      expect((await call('restoreInstallation', { as: reseller.principal, params: { installationId: installation.id } })).status).toBe(200);
      const body = { version: '5.1.0', usage: { activeUsers: 3 }, chain: head };
      expect((await call('heartbeat', { installation, params: { installationId: installation.id }, headers: { 'Idempotency-Key': randomUUID() }, body })).status).toBe(200);
      return () => call('clearClone', { as: reseller.principal, params: { installationId: installation.id } });
    },
  },
];

interface Run {
  readonly answer: Answer;
  readonly calls: readonly AwsCall[];
  readonly shape: readonly string[];
  readonly after: Snapshot;
}

async function run(request: Request, before: Snapshot, fault?: Fault): Promise<Run> {
  injector.arm(fault);
  const answer = await request().finally(() => injector.disarm());
  const calls = [...injector.calls];
  const after = await takeSnapshot(table());
  return { answer, calls, shape: changeShape(changesBetween(before, after)), after };
}

const describeFault = (fault: Fault, calls: readonly AwsCall[]) => {
  const call = calls[fault.at];
  return `${fault.persistent ? 'persistent ' : ''}${fault.kind} on call ${fault.at} (${call?.service} ${call?.operation})`;
};

/** One-shot faults that a retry absorbs: the SDK's for connection faults, the service's for transaction conflicts. */
const absorbed = (fault: Fault, call: AwsCall | undefined) =>
  !fault.persistent && call?.service === 'dynamodb' && (fault.kind === 'timeout' || fault.kind === 'lost-answer' || (fault.kind === 'conflict' && call.operation === 'TransactWriteItems'));

describe('injected faults', () => {
  it.each(operations.map((operation) => [operation.name, operation] as const))('%s: answers or 503s, and commits all or nothing', async (name, operation) => {
    await freshWorld(name);
    // Prepare: a clean run shows which calls the operation makes and what it changes.
    const reference = await run(await operation.prepare(), await takeSnapshot(table()));
    expect(reference.answer.status, JSON.stringify(reference.answer.body)).toBe(operation.succeeds);
    expect(ledgerViolations([...reference.after.values()])).toEqual([]);
    const { calls, shape } = reference;
    const lastWrite = calls.findLastIndex((call) => call.write);
    const firstWrite = calls.findIndex((call) => call.write);
    // Signatures and sealing come before the first write: a KMS fault cannot leave half a change.
    expect(calls.findLastIndex((call) => call.service === 'kms')).toBeLessThan(firstWrite === -1 ? Infinity : firstWrite);
    // One write, the last call: whatever fails, a 503 must leave nothing behind.
    expect(firstWrite).toBe(lastWrite);
    if (lastWrite !== -1) expect(lastWrite).toBe(calls.length - 1);

    const faults: Fault[] = [
      ...calls.flatMap((call, at) => faultsFor(call).map((kind) => ({ kind, at }))),
      ...(operation.outage ? [{ kind: 'timeout' as const, at: lastWrite, persistent: true }, { kind: 'conflict' as const, at: lastWrite, persistent: true }] : []),
    ];
    const requests = await Promise.all(faults.map(() => operation.prepare()));

    // Act and assess, fault by fault: each run starts from the table the previous one left.
    const failures: string[] = [];
    let before = await takeSnapshot(table());
    for (const [index, fault] of faults.entries()) {
      const injectedBefore = injector.injected;
      const outcome = await run(requests[index] as Request, before, fault);
      before = outcome.after;
      const { status, headers, body } = outcome.answer;
      const what = `${describeFault(fault, calls)}: ${status} ${body?.code ?? ''}`;
      const hit = outcome.calls[fault.at];
      if (injector.injected === injectedBefore) failures.push(`${what}: the fault was never raised`);
      if (hit?.service !== calls[fault.at]?.service || hit?.operation !== calls[fault.at]?.operation) failures.push(`${what}: the fault hit ${hit?.service} ${hit?.operation} instead`);
      const succeeded = status === operation.succeeds;
      if (!succeeded && !(status === 503 && body.code === 'UNAVAILABLE' && Number(headers['retry-after']) >= 1)) failures.push(`${what}, not ${operation.succeeds} or 503 with Retry-After`);
      if (!succeeded && absorbed(fault, calls[fault.at])) failures.push(`${what}: a retry should have absorbed it`);
      if (succeeded && JSON.stringify(outcome.shape) !== JSON.stringify(shape)) failures.push(`${what} but changed ${outcome.shape.join(' ')} instead of ${shape.join(' ')}`);
      // Every operation commits with its last call: a fault anywhere means nothing was written.
      if (!succeeded && outcome.shape.length > 0) failures.push(`${what} and left ${outcome.shape.join(' ')}`);
      failures.push(...ledgerViolations([...outcome.after.values()]).map((violation) => `${what}: ${violation}`));
    }
    expect(failures).toEqual([]);
  });
});
