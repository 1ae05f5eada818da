import * as z from './zod.js';

/** Building blocks shared by the contract's schemas. */

export const isoTime = z.iso.datetime({ offset: true });
export const id = z.string().check(z.minLength(1), z.maxLength(128));

/**
 * Characters a page or a terminal would not show as themselves: control characters (C0 with NUL,
 * DEL, C1), line and paragraph separators, and the bidirectional embeddings, overrides and isolates
 * that reorder what follows them ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const unprintable = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const printable = z.refine<string>((value) => !unprintable.test(value), {
  message: 'must be printable text: no control characters, NUL or bidirectional overrides',
});

/** The checks of a field people read (a name, a hostname, a reason): 1–200 characters of printable Unicode. */
export const displayTextChecks = [z.minLength(1), z.maxLength(200), printable] as const;
export const displayText = z.string().check(...displayTextChecks);

/** What an installation reports about the machine it runs on. */
export const machineReport = {
  fingerprint: z.string().check(z.minLength(1), z.maxLength(512)),
  hostname: displayText,
  version: z.string().check(z.minLength(1), z.maxLength(64), printable),
  virtual: z.boolean(),
};

/**
 * The `Idempotency-Key` header: 1 to 255 visible ASCII characters (a random UUID is a good choice).
 * One regex, so the JSON Schema of the document carries the very rule the server checks.
 */
export const IdempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, '1 to 255 visible ASCII characters'));

/**
 * A license token's `chain` as an installation presents it (API.md §10): 22 to 128 base64url characters.
 * One regex, so the document carries the very rule the server checks.
 */
export const chainText = z.string().check(z.regex(/^[A-Za-z0-9_-]{22,128}$/, '22 to 128 base64url characters'));

/** Crockford's base32 alphabet, which license keys are written in: digits and capitals without I, L, O and U. */
export const licenseKeyAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * What a typed license key looks like: its 25 symbols in any case, with dashes anywhere (issued as
 * `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`) and spaces around. The document states it as the field's
 * pattern; the schema itself admits any short text, because a key that does not check is the
 * activation's own refusal (`KEY_MALFORMED`, counted by the failed-key limit), not a bad request.
 */
const keySymbol = `[${licenseKeyAlphabet}${licenseKeyAlphabet.replace(/\d/g, '').toLowerCase()}]`;
export const licenseKeyPattern = `^\\s*(?:-*${keySymbol}){25}-*\\s*$`;
export const licenseKeyText = z.string().check(z.maxLength(256));
