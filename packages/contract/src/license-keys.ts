import { createHash } from 'node:crypto';
import { licenseKeyAlphabet } from './fields.js';

/**
 * License keys on both sides: reading a key as a person typed it (the client and licensectl), and a
 * license's id, derived from its key (the service stores no key; the client names the license whose page
 * frees a slot). Node only: the site does not import this module.
 */

const groupLength = 5;
const keyLength = 25;

/** Crockford base32 of `bytes`, `length` symbols (the first `5 × length` bits). */
export function toBase32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let buffer = 0;
  let out = '';
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      bits -= 5;
      out += licenseKeyAlphabet[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/**
 * A license's id, derived from its key (its 25 symbols, upper case, no dashes) by a one-way hash: activation
 * by key reads the license directly (one GetItem, no lookup item), and the key itself is never stored.
 */
export function licenseIdOf(normalizedKey: string): string {
  const digest = createHash('sha256').update(`license-id:${normalizedKey}`, 'utf8').digest();
  return `lic_${toBase32(digest, 26)}`;
}

/**
 * A license key as a person typed or read it, in the form it was issued: Crockford's decoding rules
 * (https://www.crockford.com/base32.html) read `O` as `0` and `I` or `L` as `1`, in any case, and spaces
 * and dashes anywhere are ignored, so `abcde fghjk …` and `ABCDE-FGHJK-…` are the same key. Text that
 * cannot be a key is given back trimmed, for the service to refuse with `KEY_MALFORMED`.
 *
 * @example
 * ```ts
 * typedLicenseKey('0abc1 defgh jkmnp qrstv wxyz0'); // '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ0'
 * typedLicenseKey('OABCI-DEFGH-JKMNP-QRSTV-WXYZL'); // '0ABC1-DEFGH-JKMNP-QRSTV-WXYZ1'
 * ```
 */
export function typedLicenseKey(typed: string): string {
  const symbols = typed.toUpperCase().replace(/[\s-]/g, '').replaceAll('O', '0').replace(/[IL]/g, '1');
  if (symbols.length !== keyLength || ![...symbols].every((symbol) => licenseKeyAlphabet.includes(symbol))) return typed.trim();
  return Array.from({ length: keyLength / groupLength }, (_, group) => symbols.slice(group * groupLength, (group + 1) * groupLength)).join('-');
}
