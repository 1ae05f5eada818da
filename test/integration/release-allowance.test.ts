import { describe, expect, it } from 'vitest';
import { checkLedger } from '../support/ledger.js';
import { opsPrincipal } from '#lib/auth/principal.js';
import { getLicense } from '#lib/data/licenses.js';
import { table } from '#lib/platform/dynamodb.js';
import { activateAt, activationsOf, at, claimsOf, dayMs, installationId, lookAt, outcome, releaseAt } from '../support/clocked.js';
import { issueLicense, registerCustomer } from '../support/scenario.js';

const second = 1000;
const start = () => new Date(Date.now() + 60 * second);

describe('the release allowance (API.md §8)', () => {
  it('frees a slot at once for 3 released activations with live tokens, then only when the released token expires', async () => {
    // vault has no lease: only releases free its slots. A one-slot license, five license files in a row.
    const customer = await registerCustomer();
    const { key, license } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'vault', type: 'edition', edition: 'express', maxActivations: 1 });
    const vault = { productId: 'vault' } as const;
    const t0 = start();
    const files: number[] = [];
    const ids: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      const id = installationId();
      ids.push(id);
      const now = at(t0, round * second);
      const file = await activateAt(now, id, { key, ...vault }, { offline: true });
      files.push(claimsOf(file.token).exp);
      await releaseAt(now, id, license.id, customer.principal);
    }
    // Three releases freed the slot at once; the fourth keeps it until its license file expires.
    const fifth = installationId();
    expect(await outcome(() => activateAt(at(t0, 5 * second), fifth, { key, ...vault }, { offline: true }))).toEqual({ code: 'TOO_MANY_ACTIVATIONS' });
    const [held] = await activationsOf(license.id);
    expect(held).toMatchObject({ installationId: ids[3], releasedAt: at(t0, 3 * second).toISOString(), freesAt: new Date((files[3] ?? 0) * 1000).toISOString() });
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
    // Its owner sees the release and when the slot frees.
    const view = await lookAt(at(t0, 6 * second), ids[3] ?? '', customer.principal);
    expect(view.installation.activations).toEqual([expect.objectContaining({ licenseId: license.id, releasedAt: held?.releasedAt, freesAt: held?.freesAt })]);

    // Once that file expired (the first three too), the slot goes to the next installation.
    const later = at(t0, 366 * dayMs);
    expect(await outcome(() => activateAt(later, fifth, { key, ...vault }))).toMatchObject({ created: true });
    expect((await activationsOf(license.id)).map((activation) => activation.installationId)).toEqual([fifth]);
    // At most maxActivations + 3 license files were ever valid at once.
    expect(files.filter((exp) => exp * 1000 > at(t0, 5 * second).getTime())).toHaveLength(4);
    expect(await checkLedger(table())).toEqual([]);
  });

  it('lets a released installation take its own held slot back', async () => {
    const customer = await registerCustomer();
    const { key, license } = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'vault', type: 'edition', edition: 'express', maxActivations: 1 });
    const t0 = start();
    for (let round = 0; round < 3; round += 1) {
      const id = installationId();
      await activateAt(at(t0, round * second), id, { key, productId: 'vault' });
      await releaseAt(at(t0, round * second), id, license.id, customer.principal);
    }
    const id = installationId();
    await activateAt(at(t0, 10 * second), id, { key, productId: 'vault' });
    await releaseAt(at(t0, 11 * second), id, license.id, customer.principal);
    expect((await activationsOf(license.id))[0]?.releasedAt).toBeDefined();
    const again = await activateAt(at(t0, 12 * second), id, { key, productId: 'vault' });
    expect(again.created).toBe(true);
    expect(claimsOf(again.token)).toMatchObject({ mode: 'full' });
    expect((await activationsOf(license.id))[0]).toEqual(expect.not.objectContaining({ releasedAt: expect.anything() }));
    expect((await getLicense(table(), license.id))?.activations).toBe(1);
  });
});

describe('token lifetime and license ends (API.md §5)', () => {
  it('ends a token, online or offline, no later than the earliest end of the licenses it carries', async () => {
    const customer = await registerCustomer();
    const t0 = start();
    const inAnHour = new Date(t0.getTime() + 60 * 60 * second).toISOString();
    const edition = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'vault', type: 'edition', edition: 'premium', maxActivations: 2 });
    const users = await issueLicense(opsPrincipal, { customerId: customer.account.id, productId: 'vault', type: 'users', quantity: 50, expiresAt: inAnHour, maxActivations: 2 });
    for (const offline of [false, true]) {
      const id = installationId();
      await activateAt(t0, id, { key: edition.key, productId: 'vault' }, { offline });
      const file = await activateAt(t0, id, { key: users.key, productId: 'vault' }, { offline });
      const claims = claimsOf(file.token);
      expect(claims.seats.users).toBe(50);
      expect(claims.exp).toBe(Math.floor(Date.parse(inAnHour) / 1000));
      expect(claims.refreshAfter).toBeLessThanOrEqual(claims.exp);
    }
  });
});
