import type { Table } from '../platform/dynamodb.js';
import { retry, retryOnContention } from '../data/contention.js';
import { getInstallation, installationPut } from '../data/installations.js';
import { getLicenses, licenseUnchanged } from '../data/licenses.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { problem } from '@license-activation/contract/problem';
import { withCurrentLicenses } from './installation-view.js';
import { licenseClaims, signClaims } from './license-token.js';
import type { NewToken, SignedToken, TokenDeps, TokenLifetime } from './license-token.js';
import { modeChange, modeChangePuts } from './mode-change.js';
import { answerSettled, reusableToken, settledRefreshIntervalSeconds } from './token-reuse.js';
import { proofAlreadySpent, spendProofIn } from '../data/proofs.js';
import { latestTokenExp, seenItems } from './slots.js';
import type { ProofUse } from '../data/proofs.js';

export interface InstallationDeps extends TokenDeps {
  readonly table: Table;
}

/** A read of one installation, and what it found. */
export interface InstallationRead {
  readonly installationId: string;
  readonly installation: InstallationRecord | undefined;
}

/** Reads the installation `installationId` names, strongly consistent. */
export async function readInstallation(table: Table, installationId: string): Promise<InstallationRead> {
  return { installationId, installation: await getInstallation(table, installationId) };
}

/**
 * Records what an installation reports (usage, version, when it was last seen) and signs its fresh
 * token. One read, at most one signature, one transaction: the token is decided from the installation's
 * copy of its licenses, and the transaction holds only if none of their statuses changed meanwhile —
 * otherwise the copies are refreshed and the attempt runs again, signing. Signing comes before the
 * commit, so a signing failure leaves nothing behind. With `reuse` (heartbeats) the recent token
 * answers instead of a new signature where `reusableToken` allows; a new online token asks for its
 * refresh later when it decides what the recent one did.
 */
export async function refreshInstallation(
  deps: InstallationDeps,
  args: {
    readonly installationId: string;
    /** The installation as the caller already read it (absent if it was not there): saves the first read. */
    readonly known?: InstallationRead;
    readonly change: (installation: InstallationRecord) => InstallationRecord;
    readonly proof?: ProofUse;
    readonly lifetime: TokenLifetime;
    readonly now: Date;
    /** Whether the recent token may answer instead of a new signature (token-reuse.ts). */
    readonly reuse?: boolean;
  },
): Promise<{ installation: InstallationRecord; token: string }> {
  const { table } = deps;
  let known = args.known;
  let licensesChanged = false;
  return retryOnContention(async () => {
    let current = known?.installationId === args.installationId ? known.installation : await getInstallation(table, args.installationId);
    known = undefined;
    if (!current) throw problem('NOT_FOUND', `no installation ${args.installationId}`);
    if (licensesChanged) current = withCurrentLicenses(current, await getLicenses(table, Object.keys(current.licenses)));
    // The proof first: a replay is refused before it costs a signature.
    const spending = spendProofIn(table, args.proof, { ...args.change(current), rev: current.rev + 1 }, args.now);
    const changed = spending.installation;
    const answered = await answerToken(deps, { current, changed, lifetime: args.lifetime, now: args.now, reuse: args.reuse === true && !licensesChanged });
    const { token, exp } = answered;
    // A token answered again changes no mode; a new one may (installation.mode_changed, in this transaction).
    const mode = 'claims' in answered ? modeChange(current, answered.claims, args.now) : undefined;
    // Slot accounting: the token's exp, on the installation and on each activation it carries.
    const next: InstallationRecord = {
      ...changed,
      tokenExp: latestTokenExp(current, exp),
      recentToken: args.lifetime.kind === 'online' ? { token, rev: changed.rev } : undefined,
      ...(mode ? { tokenMode: mode.tokenMode } : {}),
    };
    const items: LabelledItem<'installation' | 'proof' | 'license' | 'seen' | 'event'>[] = [
      ['installation', installationPut(table, next, current.rev)],
      ...seenItems(table, next).map((item) => ['seen', item] as const),
      ...spending.items.map((item) => ['proof', item] as const),
      ...Object.values(next.licenses).map((activated) => ['license', licenseUnchanged(table, activated.licenseId, activated.status)] as const),
      ...modeChangePuts(table, next, mode?.event).map((item) => ['event', item] as const),
    ];
    const outcome = await labelledTransaction(table, items);
    if (outcome.ok) return { installation: next, token };
    if (outcome.failed.has('proof') && args.proof) throw proofAlreadySpent(args.proof);
    if (outcome.failed.has('license')) licensesChanged = true;
    // A failed `seen` means an activation was reclaimed: its lapsed installation was changed too, so
    // the next attempt reads it without that license.
    return retry;
  });
}

/** The token an attempt answers: the recent one where it may, else a new signature (with its claims). */
async function answerToken(
  deps: TokenDeps,
  args: { current: InstallationRecord; changed: InstallationRecord; lifetime: TokenLifetime; now: Date; reuse: boolean },
): Promise<SignedToken | NewToken> {
  const { current, changed, lifetime, now } = args;
  const fresh = licenseClaims(deps, changed, lifetime, now);
  const reused = args.reuse ? reusableToken(current, fresh, await deps.signer.keyId()) : undefined;
  if (reused) return reused;
  if (lifetime.kind === 'online' && answerSettled(current, fresh)) {
    return signClaims(deps, licenseClaims(deps, changed, { ...lifetime, refreshIntervalSeconds: settledRefreshIntervalSeconds }, now));
  }
  return signClaims(deps, fresh);
}
