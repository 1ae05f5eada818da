import { describe, expect, it } from 'vitest';
import { Catalog } from '@license-activation/contract/catalog-schema';
import { productById, referenceCatalog, restrictedCapabilities } from '@license-activation/contract/reference-catalog';

describe('referenceCatalog', () => {
  it('parses through the catalog schema', () => {
    expect(Catalog.safeParse(referenceCatalog).success).toBe(true);
  });

  it('holds exactly the three products of the contract', () => {
    expect(Object.keys(referenceCatalog)).toEqual(['authserver', 'vault', 'modeler']);
  });

  it.each([
    ['authserver', 'Authentication Server', { days: 90, seats: 25 }],
    ['vault', 'Secret Vault', { days: 30, seats: 5, edition: 'professional' }],
    ['modeler', 'Process Modeler', undefined],
  ])('gives %s its name and trial policy', (id, name, trial) => {
    expect(productById(referenceCatalog, id)).toMatchObject({ id, name });
    expect(productById(referenceCatalog, id)?.trial).toEqual(trial);
  });

  it.each([
    ['authserver', ['user-login', 'otp-verification', 'user-provisioning', 'reporting']],
    ['vault', ['secret-write', 'secret-import', 'ad-sync', 'web-services']],
    ['modeler', ['model-editing', 'model-viewing', 'database-import']],
  ])('restricts in limited mode what the contract lists for %s', (id, restricted) => {
    const product = productById(referenceCatalog, id);

    expect(product && restrictedCapabilities(product)).toEqual(restricted);
  });

  it.each([
    ['authserver', { licenseTypes: ['users'], baseLicenseType: 'users', seatLicenseType: 'users', virtualMachines: 'allowed', seatOverage: 'warn', clones: 'warn', support: false }],
    ['vault', { licenseTypes: ['edition', 'users', 'support', 'site', 'engine'], baseLicenseType: 'edition', seatLicenseType: 'users', virtualMachines: 'allowed', seatOverage: 'warn', clones: 'warn', support: true }],
    ['modeler', { licenseTypes: ['server'], baseLicenseType: 'server', seatLicenseType: 'server', virtualMachines: 'denied', seatOverage: 'limit', clones: 'limit', support: false, minVersion: '4.6.0' }],
  ])('licenses %s as its manual describes', (id, policy) => {
    expect(productById(referenceCatalog, id)).toMatchObject(policy);
  });

  it('ranks the vault editions express < professional < premium, each adding capabilities', () => {
    const editions = productById(referenceCatalog, 'vault')?.editions ?? {};

    expect(editions).toEqual({
      express: { rank: 1, capabilities: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import'] },
      professional: { rank: 2, capabilities: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services'] },
      premium: { rank: 3, capabilities: ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services', 'session-recording'] },
    });
  });

  it('gives the vault its site and engine add-ons', () => {
    expect(productById(referenceCatalog, 'vault')?.addOns).toEqual({ site: 'sites', engine: 'distributed-engines' });
  });
});
