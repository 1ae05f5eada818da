import * as z from './zod.js';

/** Building blocks shared by the contract's schemas. */

export const isoTime = z.iso.datetime({ offset: true });
export const id = z.string().check(z.minLength(1), z.maxLength(128));

/** What an installation reports about the machine it runs on. */
export const machineReport = {
  fingerprint: z.string().check(z.minLength(1), z.maxLength(512)),
  hostname: z.string().check(z.minLength(1), z.maxLength(255)),
  version: z.string().check(z.minLength(1), z.maxLength(64)),
  virtual: z.boolean(),
};
