import { problem } from '@license-activation/contract/problem';
import type { ProblemError } from '@license-activation/contract/problem';
import type { SourceCountPartition } from '../data/keys.js';
import { sourceCount } from '../data/source-counts.js';
import type { SourceCountLabel } from '../data/source-counts.js';
import type { Table } from '../platform/dynamodb.js';
import type { LabelledItem } from '../data/transactions.js';
import { clientAddressOf } from './addresses.js';

/**
 * Brakes on what anyone may create without a credential (trials, customer accounts). What such a
 * caller can mint freely (installation keys, fingerprints, names, emails) is no limit; what it cannot
 * mint as cheaply is network addresses. Each brake caps creations per source address and per network
 * (IPv4 /24, IPv6 /56) per UTC day, counted in the creation's own transaction.
 */
export interface SourceBrake {
  /** What it counts, as a refusal says it: "too many new trials from this address today". */
  readonly counts: string;
  readonly partition: SourceCountPartition;
  readonly perAddressPerDay: number;
  readonly perNetworkPerDay: number;
}

/** API.md: new trials. */
export const trialBrake: SourceBrake = { counts: 'new trials', partition: 'trialSource', perAddressPerDay: 10, perNetworkPerDay: 30 };

/** API.md §7: anonymous registration is limited like trials. */
export const registrationBrake: SourceBrake = { counts: 'registrations', partition: 'registrationSource', perAddressPerDay: 10, perNetworkPerDay: 30 };

export type SourceBrakeLabel = SourceCountLabel;

const dayMs = 24 * 60 * 60 * 1000;
const utcDay = (now: Date) => now.toISOString().slice(0, 10);

/**
 * The counters of today that a creation from `sourceIp` takes in its transaction: none without an
 * address or from loopback (only `npm start` and tests see those; API Gateway names the client).
 */
export function sourceBrakeItems(table: Table, brake: SourceBrake, sourceIp: string | undefined, now: Date): LabelledItem<SourceBrakeLabel>[] {
  const source = clientAddressOf(sourceIp);
  if (!source || source.loopback) return [];
  const day = utcDay(now);
  const expiresAt = new Date(Date.parse(day) + 2 * dayMs);
  const count = (source: string, cap: number) => sourceCount(table, { partition: brake.partition, source, day, cap, expiresAt });
  return [
    ['address', count(source.address, brake.perAddressPerDay)],
    ['network', count(source.network, brake.perNetworkPerDay)],
  ];
}

/** The 429 for a creation whose transaction failed on a brake's counter, until midnight UTC; undefined when none failed. */
export function sourceBrakeRefusal(brake: SourceBrake, failed: Pick<ReadonlySet<string>, 'has'>, now: Date): ProblemError | undefined {
  const which = (['address', 'network'] as const).find((label) => failed.has(label));
  if (!which) return undefined;
  const nextDay = Date.parse(utcDay(now)) + dayMs;
  return problem('RATE_LIMITED', `too many ${brake.counts} from this ${which} today`, {
    retryAfterSeconds: Math.max(1, Math.ceil((nextDay - now.getTime()) / 1000)),
  });
}
