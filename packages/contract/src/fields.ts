import * as z from './zod.js';

/** Building blocks shared by the contract's schemas. */

export const isoTime = z.iso.datetime({ offset: true });
export const id = z.string().check(z.minLength(1), z.maxLength(128));

/**
 * Characters a page or a terminal would not show as themselves: control characters (C0 with NUL,
 * DEL, C1), line and paragraph separators, and the bidirectional embeddings, overrides and isolates
 * that reorder what follows them ("Trojan Source").
 */
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
