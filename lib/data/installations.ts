import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LicenseType } from '@license-activation/contract/catalog-schema';
import type { ActivationMethod } from '@license-activation/contract/schemas';
import type { StoredLicenseStatus } from '@license-activation/contract/license-state';
import type { Table } from '../platform/dynamodb.js';
import { isStorableId, keys } from './keys.js';
import type { TransactItem } from './transactions.js';
import { batchGet } from './batch-get.js';

/**
 * A license as activated on an installation: the activation itself, and a copy of the license's
 * terms and status. The copy lets one read of the installation decide its token; the status is
 * re-checked (`licenseUnchanged`) in the transaction that commits anything based on it.
 */
export interface ActivatedLicense {
  readonly licenseId: string;
  readonly activationId: string;
  readonly activatedAt: string;
  /** How the activation was made; absent on activations made before it was recorded. */
  readonly method?: ActivationMethod;
  readonly type: LicenseType;
  readonly quantity: number;
  readonly edition?: string;
  readonly status: StoredLicenseStatus;
  readonly expiresAt?: string;
}

export interface ReleasedActivation {
  readonly licenseId: string;
  readonly activationId: string;
  readonly activatedAt: string;
  readonly method?: ActivationMethod;
  readonly releasedAt: string;
  readonly freesAt: string;
}

/**
 * What the service keeps of an installation's chain (API.md §10, lib/installations/clone-detection.ts), in the
 * installation item its heartbeats write anyway: no item and no round trip of its own.
 */
export interface ChainState {
  /** The newest chain issued: the `chain` of the installation's newest online token. */
  readonly head: string;
  /** When the head was issued (ISO-8601, to the millisecond). */
  readonly issuedAt: string;
  /**
   * The presentation that obtained the head: the chain presented (absent when none was), the
   * `Idempotency-Key` and the body, both hashed; and the keys (with their bodies) of requests crossing it
   * that were answered the head's token too, so that their own retries are retries as well. Absent when no
   * presentation obtained it (a new installation, an owner's restore), so that nothing can be a retry of it.
   */
  readonly obtainedBy?: {
    readonly chain?: string;
    readonly keyHash?: string;
    readonly bodyHash: string;
    readonly crossing?: readonly { readonly keyHash: string; readonly bodyHash: string }[];
  };
  /** The last heads that forks replaced, oldest first. */
  readonly replaced: readonly string[];
  /** Forks (clones included) since the installation began or its detection was last cleared. */
  readonly forks: number;
  /** Whether the installation ever presented a chain: from then on, a presentation without one is a fork. */
  readonly presented?: boolean;
  /** Since when a second running copy is detected (ISO-8601); absent while none is. */
  readonly cloneDetectedAt?: string;
}

/** The mode of a token, as `installation.mode_changed` compares it. */
export interface TokenMode {
  readonly mode: 'full' | 'limited';
  readonly reasons: readonly string[];
}

/** Everything the service knows about an installation, kept in one item. */
export interface InstallationRecord {
  readonly id: string;
  readonly productId: string;
  readonly customerId?: string;
  readonly hostname: string;
  readonly version: string;
  readonly virtual: boolean;
  /** SHA-256 of the product and the reported fingerprint; the raw fingerprint is not kept. */
  readonly fingerprintHash: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly trial?: { readonly startedAt: string; readonly endsAt: string };
  /** When the first activation ended the trial: it never resumes. */
  readonly trialEndedAt?: string;
  readonly usage?: { readonly activeUsers: number; readonly reportedAt: string };
  readonly licenses: Readonly<Record<string, ActivatedLicense>>;
  /**
   * Releases past the license's release allowance, by license id: shown with the activations until
   * `freesAt`, when the installation's last token carrying them expires.
   */
  readonly released?: Readonly<Record<string, ReleasedActivation>>;
  /** The latest `exp` (epoch seconds) of any token issued to the installation. */
  readonly tokenExp?: number;
  /**
   * The latest `iat` (epoch seconds) of any token issued to the installation: a new token's is always later,
   * so that a client keeping the token with the newest `iat` keeps the one issued last (API.md §10).
   */
  readonly tokenIat?: number;
  /**
   * The last online token signed for the installation, and the revision written with it: a heartbeat
   * may answer it again while no other change was written since (lib/installations/token-reuse.ts).
   */
  readonly recentToken?: { readonly token: string; readonly rev: number };
  /** Its chain: the head, how it was obtained, the heads forks replaced, a detected clone. */
  readonly chain?: ChainState;
  /** The mode of the last token issued to it, online or offline: a new token of another mode is an `installation.mode_changed`. */
  readonly tokenMode?: TokenMode;
  /**
   * The DPoP proofs (their `jti`) the installation spent on writes of this item, until they could no longer
   * be accepted (epoch seconds): kept inside the item its requests write anyway, no item of their own.
   */
  readonly recentProofs?: Readonly<Record<string, number>>;
  /** Optimistic lock: every write checks the revision it read and stores the next. */
  readonly rev: number;
}

const recordAttributes = [
  'id', 'productId', 'customerId', 'hostname', 'version', 'virtual', 'fingerprintHash', 'createdAt',
  'lastSeenAt', 'trial', 'trialEndedAt', 'usage', 'licenses', 'released', 'tokenExp', 'tokenIat', 'recentToken', 'chain', 'tokenMode', 'recentProofs', 'rev',
] as const;

export function toInstallationRecord(item: Record<string, unknown>): InstallationRecord {
  const record: Record<string, unknown> = {};
  for (const name of recordAttributes) if (item[name] !== undefined) record[name] = item[name];
  return { licenses: {}, ...record } as unknown as InstallationRecord;
}

export async function getInstallation(table: Table, installationId: string): Promise<InstallationRecord | undefined> {
  if (!isStorableId(installationId)) return undefined;
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.installation(installationId), ConsistentRead: true }),
  );
  return Item ? toInstallationRecord(Item) : undefined;
}

/** Installations by id, in one batch; ids of nothing are left out. */
export async function getInstallations(table: Table, installationIds: readonly string[]): Promise<InstallationRecord[]> {
  const storable = installationIds.filter(isStorableId);
  if (storable.length === 0) return [];
  const found = await batchGet(table, storable.map((installationId) => keys.installation(installationId)));
  return [...found.values()].map(toInstallationRecord);
}

/** Writes the whole installation item: new (must not exist) or replacing the revision that was read. */
export function installationPut(table: Table, record: InstallationRecord, readRev: number | undefined): TransactItem {
  return {
    Put: {
      TableName: table.name,
      Item: { ...keys.installation(record.id), entity: 'installation', ...record },
      ...(readRev === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': readRev } }),
    },
  };
}

/**
 * Takes a reclaimed license off its lapsed installation, whatever revision it is at: its next token
 * no longer carries the license, and any write based on an older read fails its revision check.
 */
export function installationLicenseRemoved(table: Table, installationId: string, licenseId: string): TransactItem {
  return {
    Update: {
      TableName: table.name,
      Key: keys.installation(installationId),
      UpdateExpression: 'REMOVE licenses.#license SET rev = rev + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#license': licenseId },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}
