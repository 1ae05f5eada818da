import { createHash, randomUUID } from 'node:crypto';
import type { Table } from '../platform/dynamodb.js';
import { problem, ProblemError } from '@license-activation/contract/problem';
import { dpopReplayWindowSeconds, offlineRequestLifetimeSeconds } from '@license-activation/contract/proof-limits';
import { batchGet, mapKey } from './batch-get.js';
import { retry, retryOnContention } from './contention.js';
import { approvalUpdate } from './device-authorizations.js';
import { installationPut, toInstallationRecord } from './installations.js';
import { keys } from './keys.js';
import { transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';
import type { InstallationRecord } from './installations.js';

/** The proving installation (its key's thumbprint) and the proof's unique id and issue time (epoch seconds). */
interface ProvingInstallation {
  readonly id: string;
  readonly jti: string;
  readonly iat: number;
}

export interface DpopProofUse {
  readonly kind: 'dpop';
  readonly installation: ProvingInstallation;
}

/**
 * How an installation proved itself for this request: a DPoP proof, remembered for the replay window,
 * an offline request file, which may be used once only, or a person's approval of its sign-in
 * activation, which approves a pending authorization once only.
 */
export type ProofUse =
  | DpopProofUse
  | {
      readonly kind: 'offline-request';
      readonly installation: ProvingInstallation;
    }
  | {
      readonly kind: 'device-authorization';
      /** The installation whose key asked for the user code. */
      readonly installation: { readonly id: string };
      readonly userCode: string;
      readonly licenseId: string;
    };


/**
 * The transaction item that spends a proof other than a DPoP proof (those go into the installation's
 * `recentProofs`: `spendProofIn`, `spendProofAside`): an approval of a sign-in activation, or a
 * request file, remembered until it could no longer be accepted anyway (its age limit, plus the
 * future skew allowed).
 */
function spendOnce(table: Table, proof: Exclude<ProofUse, { kind: 'dpop' }>, now: Date): TransactItem {
  if (proof.kind === 'device-authorization') return approvalUpdate(table, { userCode: proof.userCode, licenseId: proof.licenseId, now });
  const { id, jti, iat } = proof.installation;
  const expiresAt = new Date((iat + offlineRequestLifetimeSeconds + dpopReplayWindowSeconds) * 1000);
  return proofPut(table, keys.offlineRequest(id, jti), expiresAt, now);
}

/** Proofs an installation may spend within one replay window, on every route together; more is not a client's pace. */
export const maxRecentProofs = 20;

/** An installation's recently spent DPoP proofs: the SHA-256 of each `jti` → the end of its replay window (epoch seconds). */
export type RecentProofs = Readonly<Record<string, number>>;

/**
 * `recent` with `proof` spent at `now`, pruned of proofs past their window. A proof among them, or
 * among `alsoSpent`, is a replay; `maxRecentProofs` live ones already is 429 until the oldest leaves.
 */
function withSpentProof(recent: RecentProofs | undefined, proof: DpopProofUse, now: Date, alsoSpent: RecentProofs = {}): RecentProofs {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const spent = createHash('sha256').update(proof.installation.jti).digest('base64url');
  const live = Object.entries(recent ?? {}).filter(([, expiresAt]) => expiresAt > nowSeconds);
  if (live.some(([hash]) => hash === spent) || (alsoSpent[spent] ?? 0) > nowSeconds) throw proofAlreadySpent(proof);
  if (live.length >= maxRecentProofs) {
    const freesAt = Math.min(...live.map(([, expiresAt]) => expiresAt));
    throw problem('RATE_LIMITED', `more than ${maxRecentProofs} requests from this installation in ${dpopReplayWindowSeconds / 60} minutes`, {
      retryAfterSeconds: Math.max(1, freesAt - nowSeconds),
    });
  }
  return Object.fromEntries([...live, [spent, nowSeconds + dpopReplayWindowSeconds]]);
}

/**
 * Spends a proof on a write of the installation item `next`: a DPoP proof of that installation goes
 * into the item itself (`recentProofs`, by the SHA-256 of its `jti`, pruned of proofs past the replay
 * window), any other proof is an item of its own in the same transaction. `next` carries the proofs
 * of the revision read, so a proof among them is a replay; two writes racing on one proof both check
 * that revision, and the loser finds the proof on its next read. At most `maxRecentProofs` a window
 * keep the item small: every write of it costs its size.
 */
export function spendProofIn(table: Table, proof: ProofUse | undefined, next: InstallationRecord, now: Date): { installation: InstallationRecord; items: TransactItem[] } {
  if (!proof) return { installation: next, items: [] };
  if (proof.kind !== 'dpop') return { installation: next, items: [spendOnce(table, proof, now)] };
  if (proof.installation.id !== next.id) throw new TypeError('a DPoP proof is spent in the item of the installation it proves');
  return { installation: { ...next, recentProofs: withSpentProof(next.recentProofs, proof, now) }, items: [] };
}

/**
 * Where an installation's DPoP proofs are spent when the request writes no item of its own (starting
 * a sign-in activation): its installation item if it has one, else its proof ledger, an item that
 * holds `recentProofs` for an installation that has no item yet. Both read in one round trip.
 */
export interface ProofPlace {
  readonly installation?: InstallationRecord;
  readonly ledger?: { readonly recentProofs: RecentProofs; readonly rev: number };
}

export async function readProofPlace(table: Table, installationId: string): Promise<ProofPlace> {
  const installationKey = keys.installation(installationId);
  const ledgerKey = keys.proofLedger(installationId);
  const found = await batchGet(table, [installationKey, ledgerKey]);
  const installation = found.get(mapKey(installationKey));
  const ledger = found.get(mapKey(ledgerKey));
  return {
    installation: installation && toInstallationRecord(installation),
    ledger: ledger && { recentProofs: ledger.recentProofs as RecentProofs, rev: Number(ledger.rev) },
  };
}

/**
 * Spends the DPoP proof of a request that writes no installation item of its own under the same
 * limit as every other request: into the installation item when there is one (a new revision that
 * changes nothing else, so that a token reused by heartbeats stays reusable), else into the proof
 * ledger, on condition that no installation item appeared meanwhile. A proof spent in the ledger
 * before the item existed is still a replay after. Each item holds only the revision read: a
 * concurrent spend fails its condition, and the next attempt reads again.
 */
export function spendProofAside(table: Table, proof: DpopProofUse, place: ProofPlace, now: Date): TransactItem[] {
  const { installation, ledger } = place;
  if (installation) {
    const recentProofs = withSpentProof(installation.recentProofs, proof, now, ledger?.recentProofs);
    const rev = installation.rev + 1;
    const recentToken = installation.recentToken?.rev === installation.rev ? { ...installation.recentToken, rev } : installation.recentToken;
    return [installationPut(table, { ...installation, recentProofs, recentToken, rev }, installation.rev)];
  }
  const recentProofs = withSpentProof(ledger?.recentProofs, proof, now);
  const expiresAt = Math.max(...Object.values(recentProofs));
  return [
    {
      Put: {
        TableName: table.name,
        Item: { ...keys.proofLedger(proof.installation.id), entity: 'proofLedger', recentProofs, rev: (ledger?.rev ?? -1) + 1, ttl: expiresAt },
        ...(ledger ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': ledger.rev } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    },
    { ConditionCheck: { TableName: table.name, Key: keys.installation(proof.installation.id), ConditionExpression: 'attribute_not_exists(pk)' } },
  ];
}

/**
 * Spends the DPoP proof of a request that writes nothing of its own (an installation reading its own usage
 * history) where `spendProofAside` puts it, in a transaction of its own, reading the installation item and
 * its ledger again whenever either moved on meanwhile. `known` may be the installation item the route's
 * access decision read, so that the first attempt pays no extra read.
 */
export async function spendProofAlone(table: Table, proof: DpopProofUse, now: Date, known?: ProofPlace): Promise<void> {
  let place = known;
  await retryOnContention(async () => {
    const items = spendProofAside(table, proof, place ?? (await readProofPlace(table, proof.installation.id)), now);
    if ((await transactWrite(table, items)).ok) return true;
    place = undefined;
    return retry;
  });
}

/**
 * Spends the DPoP proof of a request refused after its proof was verified (a body that fails validation, a
 * check that fails): it bore a proof all the same, so the proof is a replay afterwards and counts toward the
 * installation's 20 a window (API.md §2). A proof spent already — a replay, or a request refused after its
 * own write committed — changes nothing.
 */
export async function spendRefusedProof(table: Table, proof: DpopProofUse, now: Date): Promise<void> {
  try {
    await spendProofAlone(table, proof, now);
  } catch (error) {
    if (!(error instanceof ProblemError && error.code === 'PROOF_REPLAYED')) throw error;
  }
}

/** The answer to a proof that was already spent. */
export function proofAlreadySpent(proof: ProofUse): ProblemError {
  if (proof.kind === 'device-authorization') return problem('CONFLICT', 'this code was already approved or denied, or has expired');
  return proof.kind === 'dpop'
    ? problem('PROOF_REPLAYED', 'this DPoP proof was already used')
    : problem('CONFLICT', 'this request file was already used');
}

/**
 * Remembers a proof's id until `expiresAt`; fails if the same id is still remembered. Expired items
 * may linger until TTL removes them, so the condition also accepts one whose time is up. `spentBy`
 * names this very write: when its answer is lost and the SDK sends the same put again, the retry
 * finds its own item rather than a replay (a transaction has its ClientRequestToken for that; a
 * lone PutItem has nothing else).
 */
export function proofPut(table: Table, key: { pk: string; sk: string }, expiresAt: Date, now: Date): TransactItem {
  const spentBy = randomUUID();
  return {
    Put: {
      TableName: table.name,
      Item: { ...key, entity: 'proof', expiresAt: expiresAt.toISOString(), ttl: Math.ceil(expiresAt.getTime() / 1000), spentBy },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR spentBy = :spentBy',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':spentBy': spentBy },
    },
  };
}
