import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeJwt } from 'jose';
import type { Account, AuditEvent, Installation, LicenseIssued } from '@license-activation/contract/schemas';
import type { LicenseTokenClaims } from '@license-activation/contract/license-token';
import { getInstallation } from '#lib/data/installations.js';
import { table } from '#lib/platform/dynamodb.js';
import { newInstallation } from '../support/api.js';
import type { TestInstallation } from '../support/api.js';
import { request, startLocalService } from '../support/http-client.js';
import type { Credential } from '../support/http-client.js';
import { checkLedger } from '../support/ledger.js';
import { machine } from '../support/scenario.js';

// API.md §10 through the local service (HTTP, the authorizer, DynamoDB Local). Time moves with a faked
// Date: the service, the DPoP proofs and the test read the same clock.

let baseUrl: string;
let close: () => Promise<void>;
beforeAll(async () => ({ baseUrl, close } = await startLocalService()));
afterAll(() => close());
afterEach(() => {
  vi.useRealTimers();
});

const ops: Credential = { apiKey: process.env.OPS_API_KEY ?? '' };
const second = 1000;
const day = 24 * 60 * 60 * second;

/** Moves the clock forward (the first call freezes it at now). */
function advance(ms: number): void {
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], now: now + ms });
}

async function ok<T>(method: string, path: string, credential: Credential, body?: unknown, status = 200): Promise<T> {
  const answer = await request<T>(baseUrl, method, path, { credential, body });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body;
}

type AccountAnswer = { account: Account; apiKey: string };

/** A reseller, its customer, a license the reseller issued, and an installation that activated it. */
async function activatedWorld(productId: 'authserver' | 'modeler' = 'authserver') {
  const reseller = await ok<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'Reseller', email: 'sales@reseller.example' }, 201);
  const customer = await ok<AccountAnswer>('POST', '/v1/customers', { apiKey: reseller.apiKey }, { name: 'Customer', email: 'it@customer.example' }, 201);
  const type = productId === 'modeler' ? 'server' : 'users';
  const issued = await ok<LicenseIssued>('POST', '/v1/licenses', { apiKey: reseller.apiKey }, { customerId: customer.account.id, productId, type, quantity: 10 }, 201);
  const installation = await newInstallation();
  const activated = await ok<{ token: string }>('POST', '/v1/activations', { installation }, { key: issued.key, productId, ...machine({ version: '5.0.0' }) }, 201);
  return { reseller, customer, licenseId: issued.license.id, key: issued.key, productId, installation, token: activated.token };
}

const claimsOf = (token: string) => decodeJwt(token) as unknown as LicenseTokenClaims;
const chainOf = (token: string) => claimsOf(token).chain ?? '';

/** A heartbeat presenting `chain` (none when undefined) with `key` (none when undefined). */
function heartbeat(installation: TestInstallation, options: { chain?: string; key?: string; activeUsers?: number }) {
  const body = { version: '5.0.0', usage: { activeUsers: options.activeUsers ?? 1 }, ...(options.chain === undefined ? {} : { chain: options.chain }) };
  return request<{ token: string; code?: string; errors?: { path: string }[] }>(baseUrl, 'POST', `/v1/installations/${installation.id}/heartbeat`, {
    credential: { installation },
    body,
    headers: options.key === undefined ? {} : { 'Idempotency-Key': options.key },
  });
}

async function stepped(installation: TestInstallation, chain: string, activeUsers = 1): Promise<string> {
  const answer = await heartbeat(installation, { chain, key: randomUUID(), activeUsers });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.token;
}

const restoreAsItself = (installation: TestInstallation, chain?: string) =>
  request<{ installation: Installation; token: string }>(baseUrl, 'GET', `/v1/installations/${installation.id}${chain === undefined ? '' : `?chain=${chain}`}`, { credential: { installation } });

async function eventTypes(licenseId: string): Promise<string[]> {
  const events = await ok<{ items: AuditEvent[] }>('GET', `/v1/licenses/${licenseId}/events`, ops);
  return events.items.map((event) => event.type).filter((type) => type.startsWith('installation.'));
}

describe('copies of one installation (API.md §10)', () => {
  it('puts a chain in every online token and steps on a heartbeat presenting the head', async () => {
    const world = await activatedWorld();
    const first = chainOf(world.token);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22,128}$/);
    const next = await stepped(world.installation, first);
    expect(chainOf(next)).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(chainOf(next)).not.toBe(first);
    expect((await getInstallation(table(), world.installation.id))?.chain).toMatchObject({ head: chainOf(next), replaced: [], forks: 0 });
  });

  it('answers a lost answer\'s retry with the same key, at any time while the head stands, and counts nothing', async () => {
    const world = await activatedWorld();
    const key = randomUUID();
    const answered = await heartbeat(world.installation, { chain: chainOf(world.token), key });
    advance(10 * 60 * second);
    const retried = await heartbeat(world.installation, { chain: chainOf(world.token), key });
    expect(retried).toMatchObject({ status: 200, body: { token: answered.body.token } });
    // The same key with another body is not a retry.
    expect(await heartbeat(world.installation, { chain: chainOf(world.token), key, activeUsers: 5 })).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await eventTypes(world.licenseId)).toEqual([]);
  });

  it('answers two requests of one client crossing within 30 s with the same head, and a later one as a fork', async () => {
    const world = await activatedWorld();
    const held = chainOf(world.token);
    const heartbeatAnswer = await heartbeat(world.installation, { chain: held, key: randomUUID() });
    advance(29 * second);
    const crossing = await restoreAsItself(world.installation, held);
    expect(crossing.status).toBe(200);
    expect(crossing.body.token).toBe(heartbeatAnswer.body.token);
    expect(crossing.body.installation.token).toBe(heartbeatAnswer.body.token);
    advance(2 * second);
    const late = await heartbeat(world.installation, { chain: held, key: randomUUID() });
    expect(late.status).toBe(200);
    expect(chainOf(late.body.token)).not.toBe(chainOf(heartbeatAnswer.body.token));
    expect(await eventTypes(world.licenseId)).toEqual(['installation.forked']);
  });

  it('takes a restored backup for one fork and nothing more', async () => {
    const world = await activatedWorld();
    const backup = chainOf(world.token);
    const running = await stepped(world.installation, backup);
    advance(2 * day);
    // The server dies; its backup (the activation's token) comes back and carries on alone.
    const restored = await stepped(world.installation, backup);
    let held = restored;
    for (let days = 1; days <= 10; days += 1) {
      advance(day);
      held = await stepped(world.installation, chainOf(held), days % 3);
    }
    expect(claimsOf(held).warnings).toEqual([]);
    expect(chainOf(restored)).not.toBe(chainOf(running));
    expect(await eventTypes(world.licenseId)).toEqual(['installation.forked']);
    expect((await getInstallation(table(), world.installation.id))?.chain).toMatchObject({ forks: 1 });
  });

  it('detects a second running copy when a replaced head comes back: once, with CLONE_DETECTED in every token after', async () => {
    const world = await activatedWorld();
    const both = chainOf(world.token);
    // Copy A steps; copy B, a minute later, presents the same chain: a fork that replaces A's head.
    const a = await stepped(world.installation, both);
    advance(60 * second);
    const b = await stepped(world.installation, both);
    advance(day);
    const aAgain = await heartbeat(world.installation, { chain: chainOf(a), key: randomUUID() });
    expect(aAgain.status).toBe(200);
    expect(claimsOf(aAgain.body.token)).toMatchObject({ mode: 'full', warnings: [{ code: 'CLONE_DETECTED', detail: expect.stringContaining('own installation') }] });
    advance(day);
    const bAgain = await stepped(world.installation, chainOf(b));
    expect(claimsOf(bAgain)).toMatchObject({ mode: 'full', warnings: [{ code: 'CLONE_DETECTED' }] });
    expect(await eventTypes(world.licenseId)).toEqual(['installation.clone_detected', 'installation.forked']);
    const customerFeed = await ok<{ items: AuditEvent[] }>('GET', `/v1/customers/${world.customer.account.id}/events`, ops);
    expect(customerFeed.items.filter((event) => event.type === 'installation.clone_detected')).toEqual([
      expect.objectContaining({ installationId: world.installation.id, licenseId: world.licenseId, actor: { kind: 'installation', id: world.installation.id, name: machine().hostname }, data: { forks: 2 } }),
    ]);
    const seen = await ok<{ installation: Installation }>('GET', `/v1/installations/${world.installation.id}`, { apiKey: world.customer.apiKey });
    expect(seen.installation.clone).toEqual({ detectedAt: expect.any(String), forks: 3 });
    await checkLedger(table());
  });

  it('limits a product whose catalog says clones: "limit", and requires its heartbeats to present the chain and a key', async () => {
    const world = await activatedWorld('modeler');
    const without = await heartbeat(world.installation, { key: randomUUID() });
    expect(without).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'chain' }] } });
    expect(await heartbeat(world.installation, { chain: chainOf(world.token) })).toMatchObject({ status: 400, body: { errors: [{ path: 'Idempotency-Key' }] } });
    const a = await stepped(world.installation, chainOf(world.token));
    advance(60 * second);
    await stepped(world.installation, chainOf(world.token));
    const detected = claimsOf(await stepped(world.installation, chainOf(a)));
    expect(detected).toMatchObject({ mode: 'limited', limited: { reasons: ['CLONE_DETECTED'] }, warnings: [{ code: 'CLONE_DETECTED' }] });
  });

  it("records a detection that limits the installation and its installation.mode_changed in the heartbeat's one transaction", async () => {
    const world = await activatedWorld('modeler');
    const a = await stepped(world.installation, chainOf(world.token));
    advance(60 * second);
    await stepped(world.installation, chainOf(world.token));
    const sent: string[] = [];
    table().client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countDetectionCommands' },
    );
    try {
      expect(claimsOf(await stepped(world.installation, chainOf(a)))).toMatchObject({ mode: 'limited', limited: { reasons: ['CLONE_DETECTED'] } });
    } finally {
      table().client.middlewareStack.remove('countDetectionCommands');
    }
    // As every heartbeat: one read of the installation, one transaction (API.md §10's detection and §9's event inside it).
    expect(sent).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    const events = await ok<{ items: AuditEvent[] }>('GET', `/v1/licenses/${world.licenseId}/events`, ops);
    const changed = events.items.find((event) => event.type === 'installation.mode_changed');
    const detected = events.items.find((event) => event.type === 'installation.clone_detected');
    expect(changed).toMatchObject({ type: 'installation.mode_changed', data: { from: { mode: 'full', reasons: [] }, to: { mode: 'limited', reasons: ['CLONE_DETECTED'] } } });
    expect(detected).toMatchObject({ type: 'installation.clone_detected', createdAt: changed?.createdAt });
    await checkLedger(table());
  });

  it('takes a missing chain from an installation that presented one before for a fork, and steps a client that never did', async () => {
    const world = await activatedWorld();
    const legacy = await heartbeat(world.installation, {});
    const again = await heartbeat(world.installation, {});
    expect([legacy.status, again.status]).toEqual([200, 200]);
    expect(chainOf(again.body.token)).not.toBe(chainOf(legacy.body.token));
    expect(await eventTypes(world.licenseId)).toEqual([]);
    await stepped(world.installation, chainOf(again.body.token));
    advance(60 * second);
    expect((await heartbeat(world.installation, { key: randomUUID() })).status).toBe(200);
    expect(await eventTypes(world.licenseId)).toEqual(['installation.forked']);
  });

  it('refuses a chain that is not 22 to 128 base64url characters', async () => {
    const world = await activatedWorld();
    for (const chain of ['short', 'x'.repeat(129), `${'a'.repeat(21)}=`, `${'a'.repeat(22)}.`]) {
      expect(await heartbeat(world.installation, { chain, key: randomUUID() })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'chain' }] } });
      expect(await restoreAsItself(world.installation, chain)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    }
    // An unknown but well-formed chain is a fork, never a fault.
    expect((await restoreAsItself(world.installation, 'A'.repeat(22))).status).toBe(200);
  });

  it('answers a repeated activation with the current head, counting nothing', async () => {
    const world = await activatedWorld();
    const head = chainOf(await stepped(world.installation, chainOf(world.token)));
    const repeat = await ok<{ token: string }>('POST', '/v1/activations', { installation: world.installation }, { key: world.key, productId: 'authserver', ...machine() });
    expect(chainOf(repeat.token)).toBe(head);
    expect(await eventTypes(world.licenseId)).toEqual([]);
  });

  it('issues every token of an installation later than the one before, within one second too', async () => {
    advance(0);
    const world = await activatedWorld();
    const stepToken = await stepped(world.installation, chainOf(world.token), 11);
    const repeat = await ok<{ token: string }>('POST', '/v1/activations', { installation: world.installation }, { key: world.key, productId: 'authserver', ...machine() });
    const forkToken = (await heartbeat(world.installation, { chain: 'an-unknown-chain-0000000', key: randomUUID() })).body.token;
    const iats = [world.token, stepToken, repeat.token, forkToken].map((token) => claimsOf(token).iat);
    expect(iats).toEqual([...iats].sort((a, b) => a - b));
    expect(new Set(iats).size).toBe(4);
  });

  it('lets owners read without a token, and rebuild a server from nothing: a fork, after which the old server is a clone', async () => {
    const world = await activatedWorld();
    const old = await stepped(world.installation, chainOf(world.token));
    const before = await getInstallation(table(), world.installation.id);
    const read = await ok<{ installation: Installation; token?: string }>('GET', `/v1/installations/${world.installation.id}`, { apiKey: world.customer.apiKey });
    expect(read.token).toBeUndefined();
    expect(await getInstallation(table(), world.installation.id)).toEqual(before);

    const rebuilt = await ok<{ installation: Installation; token: string }>('POST', `/v1/installations/${world.installation.id}/restore`, { apiKey: world.customer.apiKey });
    expect(rebuilt.installation).toMatchObject({ id: world.installation.id, token: rebuilt.token, licenses: [{ id: world.licenseId }] });
    expect(chainOf(rebuilt.token)).not.toBe(chainOf(old));
    // Ops' twin restores the same way.
    await ok('POST', `/v1/admin/installations/${world.installation.id}/restore`, ops);
    advance(day);
    const oldServer = await heartbeat(world.installation, { chain: chainOf(old), key: randomUUID() });
    expect(claimsOf(oldServer.body.token).warnings).toEqual([expect.objectContaining({ code: 'CLONE_DETECTED' })]);
    const events = await ok<{ items: AuditEvent[] }>('GET', `/v1/licenses/${world.licenseId}/events`, ops);
    expect(events.items.filter((event) => event.type.startsWith('installation.')).map((event) => [event.type, event.actor.kind])).toEqual([
      ['installation.clone_detected', 'installation'],
      ['installation.forked', 'ops'],
      ['installation.forked', 'customer'],
    ]);
  });

  it('lets ops and the reseller that issued a license the installation holds clear a detected clone; its customer and other resellers may not', async () => {
    const world = await activatedWorld();
    const a = await stepped(world.installation, chainOf(world.token));
    advance(60 * second);
    await stepped(world.installation, chainOf(world.token));
    await stepped(world.installation, chainOf(a));
    const path = `/v1/installations/${world.installation.id}/clear-clone`;
    // Another reseller of the same customer sees the installation but issued none of its licenses.
    const other = await ok<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'Other', email: 'other@reseller.example' }, 201);
    const stranger = await ok<AccountAnswer>('POST', '/v1/admin/resellers', ops, { name: 'Stranger', email: 'stranger@reseller.example' }, 201);
    await ok('POST', '/v1/admin/associations', ops, { resellerId: other.account.id, customerId: world.customer.account.id }, 201);
    expect(await request(baseUrl, 'POST', path, { credential: { apiKey: world.customer.apiKey } })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await request(baseUrl, 'POST', path, { credential: { apiKey: other.apiKey } })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await request(baseUrl, 'POST', path, { credential: { apiKey: stranger.apiKey } })).toMatchObject({ status: 404 });

    const cleared = await ok<{ installation: Installation }>('POST', path, { apiKey: world.reseller.apiKey });
    expect(cleared.installation.clone).toBeUndefined();
    expect((await getInstallation(table(), world.installation.id))?.chain).toMatchObject({ replaced: [], forks: 0 });
    // The next token says nothing of it; clearing again (ops' twin) changes nothing.
    const head = (await getInstallation(table(), world.installation.id))?.chain?.head ?? '';
    expect(claimsOf(await stepped(world.installation, head)).warnings).toEqual([]);
    expect((await ok<{ installation: Installation }>('POST', `/v1/admin${path.slice('/v1'.length)}`, ops)).installation.clone).toBeUndefined();
    expect(await eventTypes(world.licenseId)).toEqual(['installation.clone_cleared', 'installation.clone_detected', 'installation.forked']);
    await checkLedger(table());
  });

  it('judges two copies heartbeating at the same instant one after the other: 20 rounds, never a fault', async () => {
    const world = await activatedWorld();
    let held = [world.token, world.token];
    for (let round = 0; round < 20; round += 1) {
      // Five minutes apart, within the 20 proofs an installation may spend in 10 minutes.
      advance(5 * 60 * second);
      // Users that cross the seats every other round, so that the brake does not answer and each round steps.
      const answers = await Promise.all(held.map((token, copy) => heartbeat(world.installation, { chain: chainOf(token), key: randomUUID(), activeUsers: round % 2 === 0 ? 11 + copy : 1 + copy })));
      expect(answers.map((answer) => answer.status), JSON.stringify(answers.map((answer) => answer.body))).toEqual([200, 200]);
      held = answers.map((answer) => answer.body.token);
      // One stepped; the other, judged again against its new head, crossed it within 30 s: both hold the head.
      expect(chainOf(held[0] ?? '')).toBe(chainOf(held[1] ?? ''));
      expect((await getInstallation(table(), world.installation.id))?.chain).toMatchObject({ head: chainOf(held[0] ?? ''), forks: 0 });
    }
    // Apart by more than 30 s (and past the brake: their reports change the decision), the same two copies
    // are told apart at the next heartbeat of the first.
    const a = await stepped(world.installation, chainOf(held[0] ?? ''), 11);
    advance(60 * second);
    await stepped(world.installation, chainOf(held[1] ?? ''), 12);
    advance(day);
    expect(claimsOf(await stepped(world.installation, chainOf(a), 11)).warnings).toContainEqual(expect.objectContaining({ code: 'CLONE_DETECTED' }));
    await checkLedger(table());
  });
});
