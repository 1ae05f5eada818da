import * as z from 'zod';

/** Building blocks shared by the contract's schemas. */

export const isoTime = z.iso.datetime({ offset: true });
export const id = z.string().min(1).max(128);

/** What an installation reports about the machine it runs on. */
export const machineReport = {
  fingerprint: z.string().min(1).max(512),
  hostname: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
  virtual: z.boolean(),
};
