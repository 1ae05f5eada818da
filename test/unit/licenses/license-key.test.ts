import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { generateLicenseKey, keyPrefixOf, licenseIdOf, normalizeLicenseKey } from '#lib/licenses/license-key.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('generateLicenseKey', () => {
  it('makes five dash-separated groups of five Crockford symbols', () => {
    const key = generateLicenseKey();
    expect(key).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/);
  });

  it('makes keys whose check symbol verifies', () => {
    for (let round = 0; round < 200; round += 1) expect(normalizeLicenseKey(generateLicenseKey())).toBeDefined();
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2000 }, generateLicenseKey));
    expect(keys.size).toBe(2000);
  });
});

describe('normalizeLicenseKey', () => {
  const key = generateLicenseKey();
  const compact = key.replaceAll('-', '');

  it.each([
    ['lower case', key.toLowerCase()],
    ['no dashes', compact],
    ['dashes elsewhere', `${compact.slice(0, 3)}-${compact.slice(3)}`],
    ['surrounding spaces', `  ${key} `],
  ])('accepts a key typed with %s', (_, typed) => {
    expect(normalizeLicenseKey(typed)).toBe(compact);
  });

  it.each([
    ['too short', compact.slice(1)],
    ['too long', `${compact}0`],
    ['a letter outside the alphabet (O)', `O${compact.slice(1)}`],
    ['a letter outside the alphabet (U)', `${compact.slice(0, 10)}U${compact.slice(11)}`],
    ['a space inside', `${compact.slice(0, 10)} ${compact.slice(10)}`],
    ['empty', ''],
  ])('refuses a key that is %s', (_, typed) => {
    expect(normalizeLicenseKey(typed)).toBeUndefined();
  });

  test.prop([fc.integer({ min: 0, max: 24 }), fc.integer({ min: 1, max: 31 })])('catches every single mistyped symbol', (position, shift) => {
    const symbols = [...compact];
    const original = alphabet.indexOf(symbols[position] as string);
    symbols[position] = alphabet[(original + shift) % 32] as string;
    expect(normalizeLicenseKey(symbols.join(''))).toBeUndefined();
  });

  it('catches most swaps of neighbouring symbols', () => {
    let caught = 0;
    let swaps = 0;
    for (let round = 0; round < 200; round += 1) {
      const symbols = [...generateLicenseKey().replaceAll('-', '')];
      for (let position = 0; position < 24; position += 1) {
        if (symbols[position] === symbols[position + 1]) continue;
        const swapped = [...symbols];
        [swapped[position], swapped[position + 1]] = [swapped[position + 1] as string, swapped[position] as string];
        swaps += 1;
        if (normalizeLicenseKey(swapped.join('')) === undefined) caught += 1;
      }
    }
    expect(caught / swaps).toBeGreaterThan(0.95);
  });
});

describe('licenseIdOf', () => {
  it('derives the same id from the same key, however it was typed', () => {
    const key = generateLicenseKey();
    expect(licenseIdOf(normalizeLicenseKey(key.toLowerCase()) as string)).toBe(licenseIdOf(normalizeLicenseKey(key) as string));
  });

  it('derives different ids from different keys, none containing the key', () => {
    const first = normalizeLicenseKey(generateLicenseKey()) as string;
    const second = normalizeLicenseKey(generateLicenseKey()) as string;
    expect(licenseIdOf(first)).not.toBe(licenseIdOf(second));
    expect(licenseIdOf(first)).toMatch(/^lic_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(licenseIdOf(first)).not.toContain(first.slice(0, 10));
  });
});

describe('keyPrefixOf', () => {
  it('is the first group of the key', () => {
    const key = generateLicenseKey();
    expect(keyPrefixOf(normalizeLicenseKey(key) as string)).toBe(key.slice(0, 5));
  });
});
