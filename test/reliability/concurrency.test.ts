import { afterEach, describe, expect, it } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import type { Activation, AuditEvent, Installation, License } from '@license-activation/contract/schemas';
import { getInstallation } from '#lib/data/installations.js';
import { getLicense } from '#lib/data/licenses.js';
import { readForActivation } from '#lib/data/activation-reads.js';
import { keys } from '#lib/data/keys.js';
import { FaultInjector } from '../support/fault-injection.js';
import { failuresRightAfterTheRead } from '../support/failures-meanwhile.js';
import { call, newInstallation } from '../support/api.js';
import type { CallResult, TestInstallation } from '../support/api.js';
import { checkLedger } from '../support/ledger.js';
import { createCustomerOf, createReseller, issueLicense, machine, registerCustomer } from '../support/scenario.js';

// Many requests at once on the same items, against DynamoDB Local: whatever interleaving happens,
// every answer is one the contract allows, and the table holds together afterwards.

interface Activated {
  readonly token: string;
  readonly installation: Installation;
  readonly activation: Activation;
}

type Answer = CallResult<Activated & { code?: string }>;

const activate = (installation: TestInstallation, key: string) =>
  call<Activated & { code?: string }>('activate', { installation, body: { key, productId: 'authserver', ...machine() } });

const heartbeat = (installation: TestInstallation, activeUsers: number) =>
  call<{ token: string; code?: string }>('heartbeat', { installation, params: { installationId: installation.id }, body: { version: '5.0.0', usage: { activeUsers } } });

/** The installation releases with its DPoP proof, an account with its API key (this route takes either). */
const release = (installationId: string, licenseId: string, by: { installation: TestInstallation } | { apiKey: string }) =>
  call<{ code?: string }>('releaseActivation', {
    ...('apiKey' in by ? { headers: { Authorization: `Bearer ${by.apiKey}` } } : by),
    params: { installationId, licenseId },
  });

const opsApiKey = process.env.OPS_API_KEY ?? '';

const outcomes = (answers: readonly CallResult<{ code?: string }>[]) => answers.map((answer) => (answer.status >= 400 ? `${answer.status} ${answer.body.code}` : String(answer.status)));

/** Every answer is one of `allowed`; contention that outlasts the service's retries may always answer 503 `UNAVAILABLE`. */
function expectOnly(answers: readonly CallResult<{ code?: string }>[], allowed: readonly string[]): void {
  expect(outcomes(answers).filter((outcome) => ![...allowed, '503 UNAVAILABLE'].includes(outcome))).toEqual([]);
}

const installations = (count: number) => Promise.all(Array.from({ length: count }, newInstallation));

afterEach(async () => {
  expect(await checkLedger(table())).toEqual([]);
});

describe('failed key activations', () => {
  const storedFailures = async (installationId: string) =>
    (await readForActivation(table(), { installationId, withKeyFailures: true })).keyFailures.size;
  const unknownKey = '00000-00000-00000-00000-00000';

  it('answers exactly 10 of 15 bad keys sent at once by one installation, and 429 with Retry-After to the other 5', async () => {
    const installation = await newInstallation();
    const answers = await Promise.all(Array.from({ length: 15 }, (_, index) => activate(installation, index % 3 === 0 ? 'AAAAA-AAAAA' : unknownKey)));
    expectOnly(answers, ['404 LICENSE_NOT_FOUND', '400 KEY_MALFORMED', '429 RATE_LIMITED']);
    expect(outcomes(answers)).not.toContain('503 UNAVAILABLE');
    const limited = answers.filter((answer) => answer.status === 429);
    expect(answers.length - limited.length).toBe(10);
    expect(limited).toHaveLength(5);
    expect(limited.every((answer) => Number(answer.headers['retry-after']) > 590)).toBe(true);
    expect(await storedFailures(installation.id)).toBe(10);
    expect((await activate(installation, unknownKey)).status).toBe(429);
  });

  it('counts a failure once when the answer to its write is lost and the SDK sends it again', async () => {
    const injector = new FaultInjector();
    injector.watch(table());
    const installation = await newInstallation();
    try {
      // Call 0 reads the installation, the license and the failures; call 1 records the failure; then the refusal spends its proof.
      injector.arm({ kind: 'lost-answer', at: 1 });
      expect((await activate(installation, unknownKey)).body.code).toBe('LICENSE_NOT_FOUND');
      expect(injector.calls.map((awsCall) => awsCall.operation)).toEqual(['BatchGetItem', 'UpdateItem', 'BatchGetItem', 'TransactWriteItems']);
      expect(injector.injected).toBe(1);
    } finally {
      injector.remove();
    }
    expect(await storedFailures(installation.id)).toBe(1);
  });
  describe('a good key read before the 10th failure was counted', () => {
    let stopFilling = () => {};
    afterEach(() => stopFilling());
    const fillRightAfterTheRead = (installationId: string) => {
      stopFilling = failuresRightAfterTheRead(table(), { kind: 'keyFailures', installationId }, keys.keyFailures(installationId));
    };

    it('is refused 429 when the failures fill while it activates, and takes no slot', async () => {
      const customer = await registerCustomer();
      const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
      const installation = await newInstallation();
      fillRightAfterTheRead(installation.id);
      const answer = await activate(installation, key);
      expect(outcomes([answer])).toEqual(['429 RATE_LIMITED']);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(590);
      expect((await getLicense(table(), license.id))?.activations).toBe(0);
      expect(await getInstallation(table(), installation.id)).toBeUndefined();
    });

    it("is refused 429 rather than told that the key is for another product", async () => {
      const customer = await registerCustomer();
      const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'vault' });
      const installation = await newInstallation();
      expect(outcomes([await activate(installation, key)])).toEqual(['403 PRODUCT_MISMATCH']);
      fillRightAfterTheRead(installation.id);
      expect(outcomes([await activate(installation, key)])).toEqual(['429 RATE_LIMITED']);
    });

    it('is refused 429 when it repeats an activation the installation holds', async () => {
      const customer = await registerCustomer();
      const { key } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
      const installation = await newInstallation();
      expect((await activate(installation, key)).status).toBe(201);
      fillRightAfterTheRead(installation.id);
      expect(outcomes([await activate(installation, key)])).toEqual(['429 RATE_LIMITED']);
    });
  });
});

describe('concurrent activations', () => {
  it('never sells more than maxActivations to 24 installations at once, and stores every activation it answered', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 5 });
    const answers: Answer[] = await Promise.all((await installations(24)).map((installation) => activate(installation, key)));
    const created = answers.filter((answer) => answer.status === 201);
    expectOnly(answers, ['201', '409 TOO_MANY_ACTIVATIONS']);
    expect(created.length).toBeLessThanOrEqual(5);
    if (!outcomes(answers).includes('503 UNAVAILABLE')) expect(created).toHaveLength(5);
    expect((await getLicense(table(), license.id))?.activations).toBe(created.length);
    for (const answer of created) {
      const stored = await getInstallation(table(), answer.body.installation.id);
      expect(stored?.licenses[license.id]?.activationId).toBe(answer.body.activation.id);
    }
  });

  it('answers one activation to an installation that repeats it six times at once, taking one slot', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 3 });
    const installation = await newInstallation();
    const answers = await Promise.all(Array.from({ length: 6 }, () => activate(installation, key)));
    const succeeded = answers.filter((answer) => answer.status < 300);
    expect(outcomes(answers).filter((outcome) => outcome === '201')).toHaveLength(1);
    expectOnly(answers, ['201', '200']);
    expect(new Set(succeeded.map((answer) => answer.body.activation.id)).size).toBe(1);
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
  });

  it('frees and retakes slots under concurrent releases and activations, never above the limit', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 3 });
    const holders = await installations(3);
    for (const holder of holders) expect((await activate(holder, key)).status).toBe(201);
    const newcomers = await installations(6);
    const [releases, activations] = await Promise.all([
      Promise.all(holders.map((holder, index) => release(holder.id, license.id, index === 0 ? { apiKey: customer.apiKey } : { installation: holder }))),
      Promise.all(newcomers.map((newcomer) => activate(newcomer, key))),
    ]);
    expectOnly(releases, ['204']);
    expectOnly(activations, ['201', '409 TOO_MANY_ACTIVATIONS']);
    const released = releases.filter((answer) => answer.status === 204).length;
    const taken = activations.filter((answer) => answer.status === 201).length;
    expect(taken).toBeLessThanOrEqual(released);
    expect((await getLicense(table(), license.id))?.activations).toBe(3 - released + taken);
  });

  it('releases an activation once when the installation and its customer release it at the same time', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 2 });
    const installation = await newInstallation();
    await activate(installation, key);
    const answers = await Promise.all([
      release(installation.id, license.id, { installation }),
      release(installation.id, license.id, { apiKey: customer.apiKey }),
      release(installation.id, license.id, { apiKey: opsApiKey }),
    ]);
    expect(outcomes(answers).filter((outcome) => outcome === '204')).toHaveLength(1);
    expectOnly(answers, ['204', '404 NOT_FOUND']);
    expect((await getLicense(table(), license.id))?.activations).toBe(0);
  });
});

describe('concurrent issuance', () => {
  it('issues one license to ten identical requests with one Idempotency-Key', async () => {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const request = { as: reseller.principal, headers: { 'Idempotency-Key': 'order-7' }, body: { customerId: customer.account.id, productId: 'authserver', type: 'users', quantity: 3 } };
    const answers = await Promise.all(Array.from({ length: 10 }, () => call<{ license: License; key: string; code?: string }>('issueLicense', request)));
    expectOnly(answers, ['201']);
    const issued = answers.filter((answer) => answer.status === 201);
    expect(new Set(issued.map((answer) => `${answer.body.license.id} ${answer.body.key}`)).size).toBe(1);
    expect(issued.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    const listed = await call<{ items: License[] }>('listLicenses', { as: customer.principal });
    expect(listed.body.items).toHaveLength(1);
    const events = await call<{ items: AuditEvent[] }>('listCustomerEvents', { as: customer.principal, params: { customerId: customer.account.id } });
    expect(events.body.items.filter((event) => event.type === 'license.issued')).toHaveLength(1);
  });

  it('issues one license when one Idempotency-Key arrives with two bodies at once, refusing the other body', async () => {
    const customer = await registerCustomer();
    const body = (quantity: number) => ({ customerId: customer.account.id, productId: 'authserver', type: 'users', quantity });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) => call<{ license: License; code?: string }>('issueLicense', { as: opsPrincipal, headers: { 'Idempotency-Key': 'race' }, body: body(1 + (index % 2)) })),
    );
    expectOnly(answers, ['201', '422 IDEMPOTENCY_KEY_REUSED']);
    const winners = answers.filter((answer) => answer.status === 201);
    expect(new Set(winners.map((answer) => answer.body.license.id)).size).toBe(1);
    expect(new Set(winners.map((answer) => answer.body.license.quantity)).size).toBe(1);
  });
});

describe('concurrent trials', () => {
  it('gives one trial to eight installations on one machine, and one installation to eight repeats', async () => {
    const facts = machine();
    const machines = await Promise.all((await installations(8)).map((installation) => call<{ code?: string }>('startTrial', { installation, body: { productId: 'vault', ...facts } })));
    expect(outcomes(machines).filter((outcome) => outcome === '201')).toHaveLength(1);
    expectOnly(machines, ['201', '409 TRIAL_ALREADY_USED']);

    const installation = await newInstallation();
    const repeats = await Promise.all(Array.from({ length: 8 }, () => call<{ installation: Installation; code?: string }>('startTrial', { installation, body: { productId: 'vault', ...machine() } })));
    expect(outcomes(repeats).filter((outcome) => outcome === '201')).toHaveLength(1);
    expectOnly(repeats, ['201', '200']);
    expect(new Set(repeats.filter((answer) => answer.status < 300).map((answer) => answer.body.installation.trial?.endsAt)).size).toBe(1);
  });
});

describe('concurrent heartbeats', () => {
  it('applies every acknowledged heartbeat once, keeps both activations, and stores one of the reports', async () => {
    const customer = await registerCustomer();
    const first = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 10 });
    const second = await issueLicense(opsPrincipal, { customerId: customer.account.id, quantity: 5 });
    const installation = await newInstallation();
    await activate(installation, first.key);
    const before = await getInstallation(table(), installation.id);
    // A third license arrives while the heartbeats run: it must not be lost to a heartbeat's write.
    const [answers, activation] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, (_, index) => heartbeat(installation, 100 + index))),
      activate(installation, second.key),
    ]);
    expectOnly(answers, ['200']);
    expect(activation.status).toBe(201);
    const after = await getInstallation(table(), installation.id);
    const acknowledged = answers.flatMap((answer, index) => (answer.status === 200 ? [100 + index] : []));
    // Every write of the installation takes the next revision: one per acknowledged heartbeat, one for the activation.
    expect(after?.rev).toBe((before?.rev ?? 0) + acknowledged.length + 1);
    expect(acknowledged).toContain(after?.usage?.activeUsers);
    expect(Object.keys(after?.licenses ?? {}).sort()).toEqual([first.license.id, second.license.id].sort());
  });
});

describe('concurrent status changes', () => {
  it('records one suspension for six concurrent suspends', async () => {
    const customer = await registerCustomer();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const answers = await Promise.all(Array.from({ length: 6 }, () => call<{ license: License; code?: string }>('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id } })));
    expectOnly(answers, ['200']);
    const events = await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: opsPrincipal, params: { licenseId: license.id } });
    expect(events.body.items.filter((event) => event.type === 'license.suspended')).toHaveLength(1);
  });

  it('keeps activations and status changes consistent when suspend, reinstate and activations race', async () => {
    const customer = await registerCustomer();
    const { license, key } = await issueLicense(opsPrincipal, { customerId: customer.account.id, maxActivations: 10 });
    const params = { licenseId: license.id };
    const newcomers = await installations(8);
    const [changes, activations] = await Promise.all([
      Promise.all(['suspendLicense', 'reinstateLicense', 'suspendLicense', 'reinstateLicense'].map((route) => call<{ code?: string }>(route as 'suspendLicense', { as: opsPrincipal, params }))),
      Promise.all(newcomers.map((newcomer) => activate(newcomer, key))),
    ]);
    expectOnly(changes, ['200']);
    expectOnly(activations, ['201', '403 LICENSE_SUSPENDED']);
    const stored = await getLicense(table(), license.id);
    expect(stored?.activations).toBe(activations.filter((answer) => answer.status === 201).length);
    // Each recorded change starts where the previous one ended: from active, through the events, to the status stored.
    const events = await call<{ items: AuditEvent[] }>('listLicenseEvents', { as: opsPrincipal, params });
    const transitions = events.body.items.filter((event) => event.type === 'license.suspended' || event.type === 'license.reinstated');
    const balance = new Map<string, number>();
    for (const { data } of transitions) {
      balance.set(String(data?.from), (balance.get(String(data?.from)) ?? 0) + 1);
      balance.set(String(data?.to), (balance.get(String(data?.to)) ?? 0) - 1);
    }
    const expected = stored?.status === 'active' ? new Map() : new Map([['active', 1], [String(stored?.status), -1]]);
    expect(new Map([...balance].filter(([, count]) => count !== 0))).toEqual(expected);
  });
});

describe('access lost between the check and the commit', () => {
  /** Runs `interlude` just before the next transaction is sent, as if another request had won the race. */
  function beforeNextTransaction(interlude: () => Promise<unknown>): void {
    let done = false;
    table().client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!done && context.commandName === 'TransactWriteItemsCommand') {
          done = true;
          await interlude();
        }
        return next(args);
      },
      { step: 'initialize', name: 'interlude' },
    );
  }
  afterEach(() => {
    table().client.middlewareStack.remove('interlude');
  });

  async function resellerWithLicense() {
    const reseller = await createReseller();
    const customer = await createCustomerOf(reseller);
    const { license, key } = await issueLicense(reseller.principal, { customerId: customer.account.id, maxActivations: 2 });
    const dissociate = () => call('removeAssociation', { as: opsPrincipal, params: { resellerId: reseller.account.id, customerId: customer.account.id } });
    return { reseller, license, key, dissociate };
  }

  it("refuses an activation on a customer's behalf when the reseller loses the customer just before the commit", async () => {
    const { reseller, license, dissociate } = await resellerWithLicense();
    beforeNextTransaction(dissociate);
    const answer = await call<{ code?: string }>('activate', {
      installation: await newInstallation(),
      headers: { Authorization: `Bearer ${reseller.apiKey}` },
      body: { licenseId: license.id, productId: 'authserver', ...machine() },
    });
    expect(outcomes([answer])).toEqual(['404 LICENSE_NOT_FOUND']);
    expect((await getLicense(table(), license.id))?.activations).toBe(0);
  });

  it('refuses a release by a reseller that loses the customer just before the commit', async () => {
    const { reseller, license, key, dissociate } = await resellerWithLicense();
    const installation = await newInstallation();
    expect((await activate(installation, key)).status).toBe(201);
    beforeNextTransaction(dissociate);
    const answer = await release(installation.id, license.id, { apiKey: reseller.apiKey });
    expect(outcomes([answer])).toEqual(['404 NOT_FOUND']);
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
  });
});
