import { fc, it as property } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { checkLedger } from '../support/ledger.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { listEvents } from '#lib/data/events.js';
import { keys } from '#lib/data/keys.js';
import { getInstallation } from '#lib/data/installations.js';
import { getLicense } from '#lib/data/licenses.js';
import { installationDeps } from '#lib/installations/installation-deps.js';
import { slotView, toInstallationView } from '#lib/installations/installation-view.js';
import { lapsesAtMs } from '#lib/installations/slots.js';
import { table } from '#lib/platform/dynamodb.js';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { Catalog } from '@license-activation/contract/catalog-schema';
import { activateAt, activationsOf, at, claimsOf, dayMs, heartbeatAt, installationId, lookAt, outcome, restoreAt } from '../support/clocked.js';
import { issueLicense, registerCustomer } from '../support/scenario.js';

// Leases (API.md §8): modeler activations lapse after 14 days unseen. The domain runs at instants the
// tests choose; the licenses are issued at the real time, so every instant below lies after it.
const lease = 14 * dayMs;
const second = 1000;

async function modelerLicense(maxActivations: number, extra: { expiresAt?: string } = {}) {
  const customer = await registerCustomer();
  const issued = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'modeler', type: 'server', quantity: 5, maxActivations, ...extra });
  return { ...issued, customer };
}

const start = () => new Date(Date.now() + 60 * second);

describe('leases', () => {
  it('lapse one second after the lease, not one second before: only then does a full license reclaim the slot', async () => {
    const { key, license } = await modelerLicense(1);
    const t0 = start();
    const first = installationId();
    const activated = await activateAt(t0, first, { key });
    // The token ends when the lease would lapse, not after 30 days.
    expect(claimsOf(activated.token).exp).toBe(Math.floor((t0.getTime() + lease) / 1000));

    expect(await outcome(() => activateAt(at(t0, lease - second), installationId(), { key }))).toEqual({ code: 'TOO_MANY_ACTIVATIONS' });
    const second_ = installationId();
    const reclaimed = await activateAt(at(t0, lease + second), second_, { key });
    expect(reclaimed.created).toBe(true);

    expect((await activationsOf(license.id)).map((activation) => activation.installationId)).toEqual([second_]);
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
    const events = await listEvents(table(), keys.eventFeed.license(license.id), { limit: 10 });
    expect(events.items.filter((event) => event.type === 'activation.expired')).toEqual([
      expect.objectContaining({ actor: { kind: 'system', id: 'system' }, installationId: first, createdAt: at(t0, lease + second).toISOString() }),
    ]);
    // The lapsed installation, seen again, is limited: NOT_ACTIVATED; it may activate again like any other.
    const back = await heartbeatAt(at(t0, lease + 2 * second), first);
    expect(claimsOf(back.token)).toMatchObject({ mode: 'limited', limited: { reasons: expect.arrayContaining(['NOT_ACTIVATED']) }, licenses: [] });
    expect(await outcome(() => activateAt(at(t0, lease + 3 * second), first, { key }))).toEqual({ code: 'TOO_MANY_ACTIVATIONS' });
  });

  it('shows lastSeenAt and lapsedAt, and a lapsed installation seen again before its slot is taken keeps it', async () => {
    const { key, customer } = await modelerLicense(1);
    const t0 = start();
    const id = installationId();
    await activateAt(t0, id, { key });
    // Its owner looking does not renew the lease: the view shows it lapsed, with no token; the owner's restore
    // (a server rebuilt from nothing) renews nothing either, so its token ends at the lapse.
    const looked = await lookAt(at(t0, lease + 5 * second), id, customer.principal);
    expect(looked.installation.activations[0]).toMatchObject({ lastSeenAt: t0.toISOString(), lapsedAt: new Date(t0.getTime() + lease).toISOString() });
    expect(looked.token).toBeUndefined();
    const rebuilt = await restoreAt(at(t0, lease + 6 * second), id, customer.principal);
    expect(rebuilt.installation.activations[0]).toMatchObject({ lastSeenAt: t0.toISOString() });
    expect(claimsOf(rebuilt.token).exp).toBeLessThanOrEqual(Math.floor((t0.getTime() + lease) / 1000));

    const seen = await heartbeatAt(at(t0, lease + 10 * second), id);
    expect(claimsOf(seen.token)).toMatchObject({ mode: 'full' });
    const view = toInstallationView(seen.installation, slotView(referenceCatalog, 'modeler', at(t0, lease + 11 * second)));
    expect(view.activations[0]).toEqual(expect.not.objectContaining({ lapsedAt: expect.anything() }));
    expect(await outcome(() => activateAt(at(t0, lease + 20 * second), installationId(), { key }))).toEqual({ code: 'TOO_MANY_ACTIVATIONS' });
  });

  it('reclaims the longest-lapsed slot of the license', async () => {
    const { key, license } = await modelerLicense(3);
    const t0 = start();
    const [early, middle, late] = [installationId(), installationId(), installationId()];
    await activateAt(t0, middle, { key });
    await activateAt(at(t0, 1000), early, { key });
    await activateAt(at(t0, 2000), late, { key });
    // `early` was seen last at t0+1s, `middle` is seen again at t0+5d: at t0+30d all three lapsed,
    // and `late` (t0+2s) has been lapsed the longest after `early`.
    await heartbeatAt(at(t0, 5 * dayMs), middle);
    const now = at(t0, 30 * dayMs);
    await activateAt(now, installationId(), { key });
    expect((await activationsOf(license.id)).map((activation) => activation.installationId)).not.toContain(early);
    await activateAt(now, installationId(), { key });
    const left = (await activationsOf(license.id)).map((activation) => activation.installationId);
    expect(left).toContain(middle);
    expect(left).not.toContain(late);
  });

  it('never oversells: 20 concurrent activations on a full license whose 3 slots lapsed, exactly 3 succeed', async () => {
    const { key, license } = await modelerLicense(3);
    const t0 = start();
    for (let index = 0; index < 3; index += 1) await activateAt(at(t0, index * second), installationId(), { key });
    const now = at(t0, lease + 10 * second);
    const answers = await Promise.all(Array.from({ length: 20 }, () => outcome(() => activateAt(now, installationId(), { key }))));
    const codes = answers.map((answer) => ('code' in answer ? answer.code : 'created'));
    expect(codes.filter((code) => code === 'created')).toHaveLength(3);
    expect(codes.filter((code) => code !== 'created').every((code) => code === 'TOO_MANY_ACTIVATIONS')).toBe(true);
    expect((await activationsOf(license.id)).filter((activation) => Date.parse(activation.createdAt) === now.getTime())).toHaveLength(3);
    expect((await getLicense(table(), license.id))?.activations).toBe(3);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('leaves the lapsed activation in place when signing fails during a reclaim', async () => {
    const { key, license } = await modelerLicense(1);
    const t0 = start();
    const id = installationId();
    await activateAt(t0, id, { key });
    const failing = { ...installationDeps(), signer: { ...installationDeps().signer, sign: () => Promise.reject(new Error('KMS is down')) } };
    await expect(activateAt(at(t0, lease + second), installationId(), { key }, { deps: failing })).rejects.toThrow('KMS is down');
    expect((await activationsOf(license.id)).map((activation) => activation.installationId)).toEqual([id]);
    expect(Object.keys((await getInstallation(table(), id))?.licenses ?? {})).toEqual([license.id]);
  });

  property.prop(
    [
      fc.integer({ min: 1, max: 45 }),
      fc.array(fc.integer({ min: 1, max: 50 * 24 }), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
    ],
    { numRuns: 12 },
  )('no token outlives its lease, whatever the lease and the heartbeat history', async (leaseDays, gapsInHours, offlineFirst) => {
    const modeler = referenceCatalog.modeler;
    if (!modeler) throw new TypeError('the reference catalog sells modeler');
    const catalog: Catalog = { ...referenceCatalog, modeler: { ...modeler, leaseDays } };
    const deps = { ...installationDeps(), catalog };
    const { key, license } = await modelerLicense(1);
    const id = installationId();
    let now = start();
    const first = await activateAt(now, id, { key }, { deps, offline: offlineFirst });
    const tokens = [claimsOf(first.token)];
    for (const hours of gapsInHours) {
      now = at(now, hours * 60 * 60 * 1000);
      const seen = await outcome(() => heartbeatAt(now, id, deps));
      if ('token' in seen) tokens.push(claimsOf(seen.token));
    }
    const [activation] = await activationsOf(license.id);
    if (!activation) return;
    // The slot is held at least as long as any token carrying it is valid; online tokens end with the lease.
    const lapsesAt = lapsesAtMs(activation, leaseDays * dayMs) ?? Infinity;
    for (const claims of tokens) expect(claims.exp * 1000).toBeLessThanOrEqual(lapsesAt);
    for (const claims of tokens.slice(1)) expect(claims.exp - claims.iat).toBeLessThanOrEqual(leaseDays * 86_400);
  });
});
