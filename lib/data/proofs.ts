import { createHash, randomUUID } from 'node:crypto';
import type { Table } from '../platform/dynamodb.js';
import { problem } from '@license-activation/contract/problem';
import type { ProblemError } from '@license-activation/contract/problem';
import { dpopReplayWindowSeconds, offlineRequestLifetimeSeconds } from '@license-activation/contract/proof-limits';
import { approvalUpdate } from './device-authorizations.js';
import { keys } from './keys.js';
import { failedCondition, transactWrite } from './transactions.js';
import type { TransactItem } from './transactions.js';
import type { InstallationRecord } from './installations.js';

/**
 * How an installation proved itself for this request: a DPoP proof, remembered for the replay window,
 * an offline request file, which may be used once only, or a person's approval of its sign-in
 * activation, which approves a pending authorization once only.
 */
export type ProofUse =
  | {
      readonly kind: 'dpop' | 'offline-request';
      /** The proving installation (its key's thumbprint) and the proof's unique id and issue time (epoch seconds). */
      readonly installation: { readonly id: string; readonly jti: string; readonly iat: number };
    }
  | {
      readonly kind: 'device-authorization';
      /** The installation whose key asked for the user code. */
      readonly installation: { readonly id: string };
      readonly userCode: string;
      readonly licenseId: string;
    };

/** The transaction item that spends the proof; written with the request's change, or alone when there is none. */
export function spendProof(table: Table, proof: ProofUse, now: Date): TransactItem {
  if (proof.kind === 'device-authorization') return approvalUpdate(table, { userCode: proof.userCode, licenseId: proof.licenseId, now });
  const { id, jti, iat } = proof.installation;
  if (proof.kind === 'dpop') {
    return proofPut(table, keys.proof(id, jti), new Date(now.getTime() + dpopReplayWindowSeconds * 1000), now);
  }
  // Remember the file until it could no longer be accepted anyway (its age limit, plus the future skew allowed).
  const expiresAt = new Date((iat + offlineRequestLifetimeSeconds + dpopReplayWindowSeconds) * 1000);
  return proofPut(table, keys.offlineRequest(id, jti), expiresAt, now);
}

/** Spends a DPoP proof on a request that writes nothing (an installation reading its own usage): PROOF_REPLAYED if it was spent. */
export async function spendProofAlone(table: Table, proof: ProofUse, now: Date): Promise<void> {
  const outcome = await transactWrite(table, [spendProof(table, proof, now)]);
  if (outcome.ok) return;
  if (failedCondition(outcome, 0)) throw proofAlreadySpent(proof);
  throw problem('UNAVAILABLE', 'the proof could not be recorded, retry', { retryAfterSeconds: 1 });
}

/** Proofs an installation may spend on its own item within one replay window; more is not a client's pace. */
export const maxRecentProofs = 20;

/**
 * Spends a proof on a write of the installation item `next`: a DPoP proof of that installation goes
 * into the item itself (`recentProofs`, by the SHA-256 of its `jti`, pruned of proofs past the replay
 * window), any other proof is an item of its own in the same transaction. `next` carries the proofs
 * of the revision read, so a proof among them is a replay; two writes racing on one proof both check
 * that revision, and the loser finds the proof on its next read. At most `maxRecentProofs` a window
 * keep the item small: every write of it costs its size.
 */
export function spendProofIn(table: Table, proof: ProofUse | undefined, next: InstallationRecord, now: Date): { installation: InstallationRecord; items: TransactItem[] } {
  if (proof?.kind !== 'dpop' || proof.installation.id !== next.id) return { installation: next, items: proof ? [spendProof(table, proof, now)] : [] };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const spent = createHash('sha256').update(proof.installation.jti).digest('base64url');
  const live = Object.entries(next.recentProofs ?? {}).filter(([, expiresAt]) => expiresAt > nowSeconds);
  if (live.some(([hash]) => hash === spent)) throw proofAlreadySpent(proof);
  if (live.length >= maxRecentProofs) {
    const freesAt = Math.min(...live.map(([, expiresAt]) => expiresAt));
    throw problem('RATE_LIMITED', `more than ${maxRecentProofs} requests from this installation in ${dpopReplayWindowSeconds / 60} minutes`, {
      retryAfterSeconds: Math.max(1, freesAt - nowSeconds),
    });
  }
  const recentProofs = Object.fromEntries([...live, [spent, nowSeconds + dpopReplayWindowSeconds]]);
  return { installation: { ...next, recentProofs }, items: [] };
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
