import { describe, expect, it } from 'vitest';
import { licenseIdOf, typedLicenseKey } from '@license-activation/contract/license-keys';

describe('typedLicenseKey', () => {
  it.each([
    ['as issued', '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0', '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0'],
    ['in lower case with spaces between the groups', '0abc1 defgh jkmnp qrstv wxyz0', '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0'],
    ['with O for 0 and I or L for 1 (Crockford)', 'OABCI-DEFGH-JKMNP-QRSTV-WXYZl', '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ1'],
    ['in one word, surrounded by spaces', '  0ABC1DEFGHJKMNPQRSTVWXYZ0\n', '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0'],
  ])('reads a key typed %s', (_, typed, key) => {
    expect(typedLicenseKey(typed)).toBe(key);
  });

  it.each([
    ['too short', 'ABCDE-FGHJK', 'ABCDE-FGHJK'],
    ['with a U, which keys never hold', ' UABC1-DEFGH-JKMNP-QRSTV-WXYZ0 ', 'UABC1-DEFGH-JKMNP-QRSTV-WXYZ0'],
  ])('gives back text that cannot be a key (%s) trimmed, for the service to refuse', (_, typed, given) => {
    expect(typedLicenseKey(typed)).toBe(given);
  });

  it('derives the same license id from a key however it was typed', () => {
    const canonical = typedLicenseKey('0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0').replaceAll('-', '');
    expect(licenseIdOf(typedLicenseKey('oabci defgh jkmnp qrstv wxyzo').replaceAll('-', ''))).toBe(licenseIdOf(canonical));
    expect(licenseIdOf(canonical)).toMatch(/^lic_[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
