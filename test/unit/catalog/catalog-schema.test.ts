import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Catalog, Product } from '@license-activation/contract/catalog-schema';

type ProductInput = z.input<typeof Product>;

// A product that uses every role, so that each rule has something to break.
const suite: ProductInput = {
  id: 'suite',
  name: 'Test Suite',
  licenseTypes: ['edition', 'users', 'support', 'site'],
  baseLicenseType: 'edition',
  seatLicenseType: 'users',
  capabilities: ['admin-login', 'activation', 'reports'],
  editions: {
    basic: { rank: 1, capabilities: ['admin-login', 'activation'] },
    plus: { rank: 2, capabilities: ['admin-login', 'activation', 'reports'] },
  },
  addOns: { site: 'sites' },
  trial: { days: 14, seats: 3, edition: 'plus' },
  limitedMode: { restricted: ['reports'] },
  virtualMachines: 'allowed',
  minVersion: '1.2.0',
  seatOverage: 'warn',
  clones: 'warn',
  support: true,
};

// The simplest product: one license type that both activates it and counts its seats.
const server: ProductInput = {
  ...suite,
  licenseTypes: ['server'],
  baseLicenseType: 'server',
  seatLicenseType: 'server',
  editions: undefined,
  addOns: {},
  trial: undefined,
  limitedMode: { allowed: ['admin-login'] },
  minVersion: undefined,
  support: false,
};

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = Product.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('Product', () => {
  it('accepts a product that uses every license role', () => {
    expect(issuesOf(suite)).toEqual([]);
  });

  it('accepts a product without editions, trial, add-ons or minimum version', () => {
    expect(issuesOf(server)).toEqual([]);
  });

  it.each<[string, ProductInput, string, string]>([
    ['a license type listed twice', { ...suite, licenseTypes: [...suite.licenseTypes, 'users'] }, 'licenseTypes', 'license type users is listed twice'],
    ['a capability listed twice', { ...suite, capabilities: [...suite.capabilities, 'reports'] }, 'capabilities', 'capability reports is listed twice'],
    ['a base license type it does not sell', { ...suite, baseLicenseType: 'server' }, 'baseLicenseType', "server is not one of the product's license types"],
    ['a seat license type it does not sell', { ...server, seatLicenseType: 'users' }, 'seatLicenseType', "users is not one of the product's license types"],
    ['support licenses as the base', { ...suite, baseLicenseType: 'support' }, 'baseLicenseType', 'support licenses only count support seats'],
    ['support licenses as the seats', { ...server, licenseTypes: ['server', 'support'], seatLicenseType: 'support', support: true }, 'seatLicenseType', 'support licenses only count support seats'],
    ['an add-on type it does not sell', { ...suite, addOns: { ...suite.addOns, engine: 'engines' } }, 'addOns.engine', "engine is not one of the product's license types"],
    ['an add-on type that is the seat type', { ...suite, addOns: { ...suite.addOns, users: 'more-users' } }, 'addOns.users', 'users licenses already have another role'],
    ['an add-on type that is support', { ...suite, addOns: { ...suite.addOns, support: 'help' } }, 'addOns.support', 'support licenses already have another role'],
    ['a license type without a role', { ...suite, licenseTypes: [...suite.licenseTypes, 'engine'] }, 'licenseTypes', 'engine licenses have no role: make them the base, the seats or an add-on'],
    ['support true without support licenses', { ...suite, licenseTypes: ['edition', 'users', 'site'] }, 'support', 'support is true exactly when support is one of the license types'],
    ['support licenses with support false', { ...suite, support: false }, 'support', 'support is true exactly when support is one of the license types'],
    ['an add-on feature that is also a capability', { ...suite, addOns: { site: 'reports' } }, 'addOns', 'add-on feature reports is also a capability'],
    ['two add-ons enabling one feature', { ...suite, licenseTypes: [...suite.licenseTypes, 'engine'], addOns: { site: 'sites', engine: 'sites' } }, 'addOns', 'two add-ons enable sites'],
    ['edition licenses without editions', { ...suite, editions: undefined, trial: { days: 14, seats: 3 } }, 'editions', 'editions are present exactly when edition is one of the license types'],
    ['editions without edition licenses', { ...suite, licenseTypes: ['users', 'support', 'site'], baseLicenseType: 'users' }, 'editions', 'editions are present exactly when edition is one of the license types'],
    ['an empty set of editions', { ...suite, editions: {}, trial: undefined }, 'editions', 'at least one edition'],
    ['an edition with an unknown capability', { ...suite, editions: { ...suite.editions, gold: { rank: 3, capabilities: ['teleport'] } } }, 'editions.gold.capabilities', 'unknown capability teleport'],
    ['two editions of one rank', { ...suite, editions: { ...suite.editions, gold: { rank: 2, capabilities: ['reports'] } } }, 'editions', 'two editions share rank 2'],
    ['a trial without the edition it runs as', { ...suite, trial: { days: 14, seats: 3 } }, 'trial.edition', 'a trial of a product with editions needs an edition'],
    ['a trial of an unknown edition', { ...suite, trial: { days: 14, seats: 3, edition: 'gold' } }, 'trial.edition', 'unknown edition gold'],
    ['a trial of an inherited property name', { ...suite, trial: { days: 14, seats: 3, edition: 'constructor' } }, 'trial.edition', 'unknown edition constructor'],
    ['limited mode restricting an unknown capability', { ...suite, limitedMode: { restricted: ['teleport'] } }, 'limitedMode.restricted', 'unknown capability teleport'],
    ['limited mode allowing an unknown capability', { ...suite, limitedMode: { allowed: ['teleport'] } }, 'limitedMode.allowed', 'unknown capability teleport'],
    ['a minimum version that does not parse', { ...suite, minVersion: 'four' }, 'minVersion', 'four is not a version'],
  ])('rejects %s', (_case, product, path, message) => {
    expect(issuesOf(product)).toEqual([{ path, message }]);
  });

  it.each<[string, unknown, string]>([
    ['an unknown field', { ...suite, colour: 'blue' }, ''],
    ['an unknown license type', { ...suite, licenseTypes: ['users', 'floating'] }, 'licenseTypes.1'],
    ['no license types', { ...suite, licenseTypes: [] }, 'licenseTypes'],
    ['an id that is not a slug', { ...suite, id: 'Suite 2' }, 'id'],
    ['a capability that is not a slug', { ...suite, capabilities: ['Admin Login'] }, 'capabilities.0'],
    ['a trial of zero days', { ...suite, trial: { days: 0, seats: 3, edition: 'plus' } }, 'trial.days'],
    ['a trial without seats', { ...suite, trial: { days: 14, seats: 0, edition: 'plus' } }, 'trial.seats'],
    ['limited mode both allowing and restricting', { ...suite, limitedMode: { allowed: ['admin-login'], restricted: ['reports'] } }, 'limitedMode'],
    ['an unknown virtual machine policy', { ...suite, virtualMachines: 'sometimes' }, 'virtualMachines'],
    ['an unknown seat overage policy', { ...suite, seatOverage: 'ignore' }, 'seatOverage'],
    ['an unknown clone policy', { ...suite, clones: 'ignore' }, 'clones'],
    ['no clone policy', { ...suite, clones: undefined }, 'clones'],
  ])('rejects the shape of %s', (_case, product, path) => {
    expect(issuesOf(product).map((issue) => issue.path)).toContain(path);
  });
});

describe('Catalog', () => {
  it('accepts products filed under their ids', () => {
    expect(Catalog.safeParse({ suite }).success).toBe(true);
  });

  it('rejects a product filed under another id', () => {
    const result = Catalog.safeParse({ other: suite });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['other', 'id'], message: 'the product under other has id suite' })]);
  });

  it('rejects a catalog with a broken product', () => {
    expect(Catalog.safeParse({ suite: { ...suite, minVersion: 'four' } }).success).toBe(false);
  });
});
