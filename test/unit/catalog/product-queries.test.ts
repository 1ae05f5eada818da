import { describe, expect, it } from 'vitest';
import type { Product } from '@license-activation/contract/catalog-schema';
import { editionByName, editionCapabilities, highestEdition, productById, restrictedCapabilities } from '@license-activation/contract/product-queries';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';

function product(id: string): Product {
  const found = productById(referenceCatalog, id);
  if (!found) throw new TypeError(`the reference catalog has no ${id}`);
  return found;
}

describe('productById', () => {
  it('finds a product of the catalog', () => {
    expect(productById(referenceCatalog, 'vault')?.name).toBe('Secret Vault');
  });

  it.each(['unknown', 'constructor', 'toString', '__proto__', ''])('answers undefined for %j', (id) => {
    expect(productById(referenceCatalog, id)).toBeUndefined();
  });
});

describe('editionByName', () => {
  it('finds an edition of the product', () => {
    expect(editionByName(product('vault'), 'premium')?.rank).toBe(3);
  });

  it.each([
    ['vault', 'gold'],
    ['vault', 'constructor'],
    ['authserver', 'express'],
  ])('answers undefined for %s edition %s', (id, name) => {
    expect(editionByName(product(id), name)).toBeUndefined();
  });
});

describe('highestEdition', () => {
  it.each([
    [['express', 'premium', 'professional'], 'premium'],
    [['professional', 'express'], 'professional'],
    [['express'], 'express'],
    [['gold', 'express'], 'express'],
    [['gold'], undefined],
    [[], undefined],
  ])('picks the highest of %j: %s', (names, expected) => {
    expect(highestEdition(product('vault'), names)).toBe(expected);
  });
});

describe('editionCapabilities', () => {
  it.each([
    ['vault', 'premium', ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services', 'session-recording']],
    ['vault', 'professional', ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import', 'ad-sync', 'web-services']],
    ['vault', undefined, ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import']],
    ['vault', 'gold', ['admin-login', 'activation', 'secret-read', 'secret-write', 'secret-import']],
    ['authserver', undefined, ['admin-login', 'activation', 'user-login', 'otp-verification', 'user-provisioning', 'reporting']],
    ['modeler', 'premium', ['admin-login', 'activation', 'model-editing', 'model-viewing', 'database-import']],
  ])('gives %s edition %s its capabilities', (id, edition, capabilities) => {
    expect(editionCapabilities(product(id), edition)).toEqual(capabilities);
  });
});

describe('restrictedCapabilities', () => {
  it('lists what an allow-list leaves out, in the product order', () => {
    const restricted = restrictedCapabilities({ ...product('modeler'), limitedMode: { allowed: ['model-viewing', 'activation'] } });

    expect(restricted).toEqual(['admin-login', 'model-editing', 'database-import']);
  });

  it('lists a restriction list in the product order', () => {
    const restricted = restrictedCapabilities({ ...product('vault'), limitedMode: { restricted: ['web-services', 'ad-sync'] } });

    expect(restricted).toEqual(['ad-sync', 'web-services']);
  });
});
