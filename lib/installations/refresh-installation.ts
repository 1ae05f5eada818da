import type { Table } from '../platform/dynamodb.js';
import { retry, retryOnContention } from '../data/contention.js';
import { getInstallation, installationPut } from '../data/installations.js';
import { getLicenses, licenseUnchanged } from '../data/licenses.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { problem } from '@license-activation/contract/problem';
import { withCurrentLicenses } from './installation-view.js';
import { signLicenseToken } from './license-token.js';
import type { TokenDeps, TokenLifetime } from './license-token.js';
import { proofAlreadySpent, spendProof } from '../data/proofs.js';
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
 * token. One read, one signature, one transaction: the token is decided from the installation's copy
 * of its licenses, and the transaction holds only if none of their statuses changed meanwhile —
 * otherwise the copies are refreshed and the attempt runs again. Signing comes before the commit,
 * so a signing failure leaves nothing behind.
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
    const changed: InstallationRecord = { ...args.change(current), rev: current.rev + 1 };
    const { token, exp } = await signLicenseToken(deps, changed, args.lifetime, args.now);
    // Slot accounting: the token's exp, on the installation and on each activation it carries.
    const next: InstallationRecord = { ...changed, tokenExp: latestTokenExp(current, exp) };
    const items: LabelledItem<'installation' | 'proof' | 'license' | 'seen'>[] = [
      ['installation', installationPut(table, next, current.rev)],
      ...seenItems(table, next).map((item) => ['seen', item] as const),
      ...(args.proof ? [['proof', spendProof(table, args.proof, args.now)] as const] : []),
      ...Object.values(next.licenses).map((activated) => ['license', licenseUnchanged(table, activated.licenseId, activated.status)] as const),
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
