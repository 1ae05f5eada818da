import { describe, expect, it } from 'vitest';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import { ProblemError } from '@license-activation/contract/problem';
import type { IssueLicenseInput } from '@license-activation/contract/schemas';
import { licenseTermsFor } from '#lib/licenses/license-terms.js';

const now = new Date('2026-06-01T00:00:00Z');
const input = (overrides: Partial<IssueLicenseInput>): IssueLicenseInput => ({ customerId: 'acc_1', productId: 'authserver', type: 'users', ...overrides });

function refusal(overrides: Partial<IssueLicenseInput>) {
  try {
    licenseTermsFor(referenceCatalog, input(overrides), now);
  } catch (error) {
    if (error instanceof ProblemError) return { code: error.code, paths: error.extra.errors?.map((entry) => entry.path) };
    throw error;
  }
  return undefined;
}

describe('licenseTermsFor', () => {
  it('fills the defaults: one seat, one activation, no end', () => {
    expect(licenseTermsFor(referenceCatalog, input({}), now)).toEqual({ productId: 'authserver', type: 'users', quantity: 1, maxActivations: 1 });
  });

  it('keeps an edition license with its edition and normalises its end to UTC', () => {
    const terms = licenseTermsFor(referenceCatalog, input({ productId: 'vault', type: 'edition', edition: 'premium', expiresAt: '2027-01-01T02:00:00+02:00' }), now);
    expect(terms).toMatchObject({ edition: 'premium', expiresAt: '2027-01-01T00:00:00.000Z' });
  });

  it.each<[string, Partial<IssueLicenseInput>, string[]]>([
    ['an unknown product', { productId: 'nope' }, ['productId']],
    ['a type the product does not sell', { type: 'server' }, ['type']],
    ['an edition license without its edition', { productId: 'vault', type: 'edition' }, ['edition']],
    ['an edition the product does not have', { productId: 'vault', type: 'edition', edition: 'ultimate' }, ['edition']],
    ['an edition on a users license', { productId: 'vault', type: 'users', edition: 'premium' }, ['edition']],
    ['an end in the past', { expiresAt: '2026-05-31T23:59:59Z' }, ['expiresAt']],
    ['an end exactly now', { expiresAt: now.toISOString() }, ['expiresAt']],
    ['several faults at once', { type: 'server', expiresAt: '2020-01-01T00:00:00Z' }, ['type', 'expiresAt']],
  ])('refuses %s with VALIDATION_FAILED naming the field', (_, overrides, paths) => {
    expect(refusal(overrides)).toEqual({ code: 'VALIDATION_FAILED', paths });
  });
});
