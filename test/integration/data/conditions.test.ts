import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { table } from '#lib/platform/dynamodb.js';
import { idempotencyPut } from '#lib/data/idempotency.js';
import type { IdempotencyRecord } from '#lib/data/idempotency.js';
import { installationPut } from '#lib/data/installations.js';
import { licenseUnchanged, slotTake } from '#lib/data/licenses.js';
import { proofPut } from '#lib/data/proofs.js';
import { takeFailureSlot } from '#lib/data/key-failures.js';
import { trialFingerprintPut } from '#lib/data/trial-claims.js';
import type { InstallationRecord } from '#lib/data/installations.js';
import { keys } from '#lib/data/keys.js';
import { changeLicenseStatus, putLicense } from '#lib/data/licenses.js';
import type { LicenseRecord } from '#lib/data/licenses.js';
import { labelledTransaction, transactWrite } from '#lib/data/transactions.js';
import type { TransactItem } from '#lib/data/transactions.js';

// Each condition, checked one write after another: no interleaving luck involved.

const now = new Date('2026-06-01T12:00:00Z');
const noGuard = (): TransactItem => ({ ConditionCheck: { TableName: table().name, Key: keys.license('none'), ConditionExpression: 'attribute_not_exists(pk)' } });

function license(overrides: Partial<LicenseRecord> = {}): LicenseRecord {
  return {
    id: `lic_${randomUUID()}`, customerId: 'acc_1', productId: 'authserver', type: 'users', quantity: 1, status: 'active',
    keyPrefix: 'ABCDE', issuedBy: 'ops', createdAt: now.toISOString(), maxActivations: 2, activations: 0, ...overrides,
  };
}

async function storedLicense(overrides: Partial<LicenseRecord> = {}): Promise<LicenseRecord> {
  const record = license(overrides);
  const event = { id: `evt_${randomUUID()}`, type: 'license.issued' as const, createdAt: now.toISOString(), actor: { kind: 'ops' as const, id: 'ops' }, licenseId: record.id };
  expect(await putLicense(table(), { record, guard: noGuard(), event })).toEqual({ outcome: 'created' });
  return record;
}

describe('idempotencyPut', () => {
  const record = (licenseId: string, expiresAt: string): IdempotencyRecord => ({
    callerId: 'ops', keyHash: 'same-key', requestHash: 'h', licenseId, sealedKey: 'sealed', expiresAt,
  });

  it('refuses a second license under a live idempotency key, and allows one after the window', async () => {
    const keyHash = randomUUID();
    const first = license();
    const live = { ...record(first.id, '2026-06-02T12:00:00.000Z'), keyHash };
    const event = (licenseId: string) => ({ id: `evt_${randomUUID()}`, type: 'license.issued' as const, createdAt: now.toISOString(), actor: { kind: 'ops' as const, id: 'ops' }, licenseId });
    expect(await putLicense(table(), { record: first, guard: noGuard(), idempotencyPut: idempotencyPut(table(), live, now), event: event(first.id) })).toEqual({ outcome: 'created' });
    const second = license();
    const taken = await putLicense(table(), { record: second, guard: noGuard(), idempotencyPut: idempotencyPut(table(), { ...live, licenseId: second.id }, now), event: event(second.id) });
    expect(taken).toEqual({ outcome: 'idempotency-key-taken' });
    const later = new Date('2026-06-02T12:00:01Z');
    const third = license();
    const afterWindow = await putLicense(table(), { record: third, guard: noGuard(), idempotencyPut: idempotencyPut(table(), { ...live, licenseId: third.id }, later), event: event(third.id) });
    expect(afterWindow).toEqual({ outcome: 'created' });
  });
});

describe('slotTake', () => {
  it('takes slots up to the limit and no further, telling a full license from a suspended one', async () => {
    const record = await storedLicense({ maxActivations: 2 });
    expect((await transactWrite(table(), [slotTake(table(), record.id)])).ok).toBe(true);
    expect((await transactWrite(table(), [slotTake(table(), record.id)])).ok).toBe(true);
    const full = await labelledTransaction(table(), [['slot', slotTake(table(), record.id)]]);
    expect(full.ok).toBe(false);
    expect(!full.ok && full.failed.get('slot')?.[0]).toMatchObject({ activations: 2, maxActivations: 2, status: 'active' });
    const other = await storedLicense();
    await changeLicenseStatus(table(), {
      licenseId: other.id, from: 'active', to: 'suspended',
      event: { id: `evt_${randomUUID()}`, type: 'license.suspended', createdAt: now.toISOString(), actor: { kind: 'ops', id: 'ops' }, licenseId: other.id },
    });
    const suspended = await labelledTransaction(table(), [['slot', slotTake(table(), other.id)]]);
    expect(!suspended.ok && suspended.failed.get('slot')?.[0]).toMatchObject({ status: 'suspended', activations: 0 });
  });
});

describe('licenseUnchanged', () => {
  it('holds while the status is the one read, and fails once it changed', async () => {
    const record = await storedLicense();
    expect((await transactWrite(table(), [licenseUnchanged(table(), record.id, 'active')])).ok).toBe(true);
    expect((await transactWrite(table(), [licenseUnchanged(table(), record.id, 'suspended')])).ok).toBe(false);
  });
});

describe('proofPut', () => {
  it('spends a proof id once within its window, and again after it', async () => {
    const key = keys.offlineRequest('inst', randomUUID());
    const until = new Date(now.getTime() + 600_000);
    expect((await transactWrite(table(), [proofPut(table(), key, until, now)])).ok).toBe(true);
    expect((await transactWrite(table(), [proofPut(table(), key, until, new Date(now.getTime() + 599_000))])).ok).toBe(false);
    expect((await transactWrite(table(), [proofPut(table(), key, until, new Date(now.getTime() + 601_000))])).ok).toBe(true);
  });
});

describe('takeFailureSlot', () => {
  it('takes an empty slot, or one whose failure left the window, never one in use; its own failure again (an SDK retry)', async () => {
    const counter = { kind: 'keyFailures', installationId: `inst-${randomUUID()}` } as const;
    const window = { windowStart: now.getTime() - 600_000, expiresAt: new Date(now.getTime() + 600_000) };
    const first = { at: now.getTime(), id: 'first' };
    expect(await takeFailureSlot(table(), counter, { slot: 3, failure: first, ...window })).toEqual({ taken: true });
    expect(await takeFailureSlot(table(), counter, { slot: 3, failure: first, ...window })).toEqual({ taken: true });
    expect(await takeFailureSlot(table(), counter, { slot: 3, failure: { at: now.getTime(), id: 'second' }, ...window })).toEqual({ taken: false, slots: new Map([[3, first]]) });
    const later = { windowStart: now.getTime(), expiresAt: new Date(now.getTime() + 1_200_000) };
    expect(await takeFailureSlot(table(), counter, { slot: 3, failure: { at: now.getTime() + 600_000, id: 'third' }, ...later })).toEqual({ taken: true });
  });
});

describe('trialFingerprintPut', () => {
  it('gives a fingerprint to the first installation only, which may claim it again', async () => {
    const first = `inst-${randomUUID()}`;
    const fingerprint = randomUUID();
    const claimFor = (installationId: string) =>
      transactWrite(table(), [trialFingerprintPut(table(), { productId: 'authserver', fingerprintHash: fingerprint, installationId, startedAt: now.toISOString() })]);
    expect((await claimFor(first)).ok).toBe(true);
    expect((await claimFor(first)).ok).toBe(true);
    expect((await claimFor('someone-else')).ok).toBe(false);
  });
});

describe('installationPut', () => {
  it('creates an installation once and replaces only the revision that was read', async () => {
    const record: InstallationRecord = {
      id: `inst-${randomUUID()}`, productId: 'authserver', hostname: 'h', version: '1', virtual: false, fingerprintHash: 'f',
      createdAt: now.toISOString(), lastSeenAt: now.toISOString(), licenses: {}, rev: 0,
    };
    expect((await transactWrite(table(), [installationPut(table(), record, undefined)])).ok).toBe(true);
    expect((await transactWrite(table(), [installationPut(table(), record, undefined)])).ok).toBe(false);
    expect((await transactWrite(table(), [installationPut(table(), { ...record, rev: 1 }, 0)])).ok).toBe(true);
    expect((await transactWrite(table(), [installationPut(table(), { ...record, rev: 1 }, 0)])).ok).toBe(false);
  });
});
