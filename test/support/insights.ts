import { randomUUID } from 'node:crypto';
import { fc } from '@fast-check/vitest';
import { afterAll } from 'vitest';
import { associateCustomer, dissociateCustomer } from '#lib/accounts/associations.js';
import { actorOf, opsPrincipal } from '#lib/auth/principal.js';
import { writeTick } from '#lib/data/insights.js';
import { getInstallation } from '#lib/data/installations.js';
import { getLicense } from '#lib/data/licenses.js';
import { keys, partitions } from '#lib/data/keys.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { startTrial } from '#lib/installations/start-trial.js';
import { changeStatus } from '#lib/licenses/change-license-status.js';
import { table } from '#lib/platform/dynamodb.js';
import { streamConsumers } from '#dev/stream-consumers.js';
import { startTableStream } from '#dev/table-stream.js';
import type { StreamConsumer, TableStream } from '#dev/table-stream.js';
import { activateAt, at, dayMs, heartbeatAt, installationId, outcome, releaseAt } from './clocked.js';
import { createReseller, issueLicense, registerCustomer } from './scenario.js';
import { scanTable } from './table-snapshot.js';
import { streamTestTable } from './table-stream.js';

/**
 * The stream's consumers on this test file's table, as `npm start` runs them (dev/stream-consumers.ts),
 * or `consumers` instead, stopped when the file ends. `settled()` waits until they have applied
 * everything committed before.
 */
export async function startInsightsStream(consumers?: StreamConsumer[]): Promise<TableStream> {
  await streamTestTable();
  // Every 100 ms: the whole suite shares one DynamoDB Local.
  const stream = await startTableStream({ table: table(), consumers: consumers ?? (await streamConsumers()), idleDelayMs: 100 });
  afterAll(() => stream.stop());
  return stream;
}

/** A heartbeat at an instant the test chooses, reporting `activeUsers`, as a well-behaved client sends it (presenting its chain). */
export async function heartbeatReporting(now: Date, installationId: string, activeUsers: number) {
  const chain = (await getInstallation(table(), installationId))?.chain?.head;
  return heartbeatAt(now, installationId, installationDeps(), { ...(chain === undefined ? {} : { chain }), idempotencyKey: randomUUID(), activeUsers });
}

/** An authserver trial started at an instant the test chooses. */
export function trialAt(now: Date, installationId: string) {
  const proof = { kind: 'dpop', installation: { id: installationId, jti: randomUUID(), iat: Math.floor(now.getTime() / 1000) } } as const;
  return startTrial(installationDeps(), { proof, input: { productId: 'authserver', fingerprint: `fp-${installationId}`, hostname: 'srv', version: '5.0.0', virtual: false }, now });
}

/** Days pass with no write: the clock's tick, as the schedule writes it, at `at`. */
export const tickAt = (at: Date) => writeTick(table(), at);

/** One step of a randomized history (test/integration/insights/rebuild.test.ts). */
export type HistoryStep =
  | { readonly kind: 'issue'; readonly customer: number; readonly product: 'authserver' | 'modeler'; readonly quantity: number; readonly expiresInDays?: number }
  | { readonly kind: 'activate'; readonly license: number; readonly installation: number; readonly offline: boolean }
  | { readonly kind: 'trial'; readonly installation: number }
  | { readonly kind: 'heartbeat'; readonly installation: number; readonly activeUsers: number }
  | { readonly kind: 'release'; readonly installation: number }
  | { readonly kind: 'status'; readonly license: number; readonly action: 'suspend' | 'reinstate' | 'revoke' }
  | { readonly kind: 'associate' | 'dissociate'; readonly reseller: number; readonly customer: number }
  | { readonly kind: 'wait'; readonly hours: number }
  | { readonly kind: 'tick' };

export const historyStep = (() => {
  const index = fc.integer({ min: 0, max: 5 });
  const pair = fc.integer({ min: 0, max: 1 });
  return fc.oneof(
    fc.record({ kind: fc.constant('issue' as const), customer: pair, product: fc.constantFrom('authserver' as const, 'modeler' as const), quantity: fc.integer({ min: 1, max: 20 }), expiresInDays: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) }, { requiredKeys: ['kind', 'customer', 'product', 'quantity'] }),
    fc.record({ kind: fc.constant('activate' as const), license: index, installation: index, offline: fc.boolean() }),
    fc.record({ kind: fc.constant('trial' as const), installation: index }),
    fc.record({ kind: fc.constant('heartbeat' as const), installation: index, activeUsers: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant('heartbeat' as const), installation: index, activeUsers: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant('heartbeat' as const), installation: fc.integer({ min: 0, max: 1 }), activeUsers: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant('release' as const), installation: index }),
    fc.record({ kind: fc.constant('status' as const), license: index, action: fc.constantFrom('suspend' as const, 'reinstate' as const, 'revoke' as const) }),
    fc.record({ kind: fc.constantFrom('associate' as const, 'dissociate' as const), reseller: pair, customer: pair }),
    fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 24 * 20 }) }),
    fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constant('tick' as const) }),
  );
})();

/** Ops, as the audit events of the history name them. */
const opsActor = actorOf({ account: opsPrincipal });

/**
 * Plays a history through the domain functions the handlers call, at instants from `start` on: two
 * customers (the first managed by the first reseller), two resellers, up to six licenses and six
 * installations. Refusals (a full license, a suspended one, …) are part of the history, not failures.
 */
export async function playHistory(steps: readonly HistoryStep[], start: Date): Promise<{ installations: string[]; licenseIds: string[]; end: Date }> {
  const customers = [await registerCustomer(), await registerCustomer()];
  const resellers = [await createReseller(), await createReseller()];
  await associateCustomer({ table: table() }, { resellerId: resellers[0]?.account.id ?? '', customerId: customers[0]?.account.id ?? '' }, opsActor, start);
  const licenses: { id: string; key: string; productId: string }[] = [];
  const installations = Array.from({ length: 6 }, () => installationId());
  let now = start;
  // Every history starts from licenses of both customers, two of them in use, and a trial.
  const prologue: HistoryStep[] = [
    { kind: 'issue', customer: 0, product: 'authserver', quantity: 5 },
    { kind: 'issue', customer: 1, product: 'authserver', quantity: 8, expiresInDays: 3 },
    { kind: 'issue', customer: 0, product: 'modeler', quantity: 2, expiresInDays: 30 },
    { kind: 'activate', license: 0, installation: 0, offline: false },
    { kind: 'activate', license: 1, installation: 1, offline: false },
    { kind: 'trial', installation: 2 },
  ];
  for (const step of [...prologue, ...steps]) {
    now = at(now, 1000);
    const id = 'installation' in step ? (installations[step.installation] ?? '') : '';
    await outcome(async () => {
      switch (step.kind) {
        case 'issue': {
          const customer = customers[step.customer]?.account.id ?? '';
          const expiresAt = step.expiresInDays === undefined ? {} : { expiresAt: at(start, step.expiresInDays * dayMs).toISOString() };
          const { license, key } = await issueLicense(opsPrincipal, { customerId: customer, productId: step.product, type: step.product === 'modeler' ? 'server' : 'users', quantity: step.quantity, maxActivations: 2, ...expiresAt });
          licenses.push({ id: license.id, key, productId: step.product });
          return;
        }
        case 'activate': {
          const license = licenses[step.license % Math.max(1, licenses.length)];
          if (license) await activateAt(now, id, { key: license.key, productId: license.productId }, { offline: step.offline });
          return;
        }
        case 'trial':
          await trialAt(now, id);
          return;
        case 'heartbeat':
          await heartbeatReporting(now, id, step.activeUsers);
          return;
        case 'release': {
          const held = Object.keys((await getInstallation(table(), id))?.licenses ?? {})[0];
          if (held) await releaseAt(now, id, held, opsPrincipal);
          return;
        }
        case 'status': {
          const license = licenses[step.license % Math.max(1, licenses.length)];
          const stored = license && (await getLicense(table(), license.id));
          if (stored) await changeStatus({ table: table() }, { account: opsPrincipal, actor: opsActor, license: stored, action: step.action, now });
          return;
        }
        case 'associate':
        case 'dissociate': {
          const input = { resellerId: resellers[step.reseller]?.account.id ?? '', customerId: customers[step.customer]?.account.id ?? '' };
          await (step.kind === 'associate' ? associateCustomer({ table: table() }, input, opsActor, now) : dissociateCustomer({ table: table() }, input, opsActor, now));
          return;
        }
        case 'wait':
          now = at(now, step.hours * 60 * 60 * 1000);
          return;
        case 'tick':
          await tickAt(now);
          return;
      }
    });
  }
  return { installations, licenseIds: licenses.map((license) => license.id), end: now };
}

/**
 * The figures the consumer keeps, comparable with a rebuild's: zero counts, emptied items and the
 * bookkeeping of versions left out (`rev`: a revision that changed no figure is not written).
 */
export async function derivedFigures(): Promise<Map<string, Record<string, unknown>>> {
  const figures = new Map<string, Record<string, unknown>>();
  for (const item of await scanTable(table())) {
    const pk = String(item.pk);
    if (!(pk.startsWith(partitions.insights) || pk.startsWith(keys.licenseStatusHistory('').pk)) || pk === keys.insightsClock) continue;
    const kept = Object.fromEntries(
      Object.entries(item)
        .filter(([name, value]) => name !== 'ver' && name !== 'rev' && value !== 0)
        .map(([name, value]) => [name, value instanceof Set ? [...(value as Set<string>)].sort() : value]),
    );
    if (Object.keys(kept).some((name) => !['pk', 'sk', 'entity'].includes(name))) figures.set(`${pk}|${String(item.sk)}`, kept);
  }
  return figures;
}
