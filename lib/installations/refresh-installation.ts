import type { Table } from '../platform/dynamodb.js';
import { actorOf } from '../auth/principal.js';
import type { Actor } from '../auth/principal.js';
import { retry, retryOnContention } from '../data/contention.js';
import { getInstallation, installationPut } from '../data/installations.js';
import { getLicenses, licenseUnchanged } from '../data/licenses.js';
import type { InstallationRecord } from '../data/installations.js';
import { labelledTransaction } from '../data/transactions.js';
import type { LabelledItem } from '../data/transactions.js';
import { problem } from '@license-activation/contract/problem';
import { withCurrentLicenses } from './installation-view.js';
import { licenseClaims, productOf, signClaims } from './license-token.js';
import type { NewToken, SignedToken, TokenDeps, TokenLifetime } from './license-token.js';
import { modeChange, modeChangePuts } from './mode-change.js';
import { answerSettled, headToken, reusableToken, settledRefreshIntervalSeconds } from './token-reuse.js';
import { proofAlreadySpent, spendProofIn } from '../data/proofs.js';
import { latestTokenExp, seenItems } from './slots.js';
import type { ProofUse } from '../data/proofs.js';
import { afterOwnerRestore, afterPresentation, brakeMayAnswer, firstHead, judgePresentation, missingPresentation, newChain } from './clone-detection.js';
import type { ChainEvent, ChainPresentation, ChainState } from './clone-detection.js';
import { chainEventItems } from './installation-events.js';

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
 * What a refresh does to the installation's chain (API.md §10, clone-detection.ts):
 * - `keep` (the default): the token carries the current head, counting nothing (a repeated activation,
 *   a trial's repeat, a sign-in collection); an installation older than chains gets its first head;
 * - `present`: a heartbeat (`heartbeat: true`, which the brake may answer and a product that limits
 *   clones requires to present) or the installation's own restore presents a chain, judged;
 * - `owner-restore`: a server rebuilt from nothing: a fork with a new head.
 */
export type ChainAction =
  | { readonly kind: 'keep' }
  | { readonly kind: 'present'; readonly presentation: ChainPresentation; readonly heartbeat: boolean }
  | { readonly kind: 'owner-restore' };

/**
 * What the chain action makes of the installation's chain: the state if a new token answers (and the
 * event it makes), the state if the head's token answers again, and which of the two answers: `head`
 * (a retry: always), `brake` (a heartbeat presenting the head: where token-reuse.ts allows), `new`.
 */
interface ChainPlan {
  readonly renewed: { readonly state: ChainState; readonly event?: ChainEvent };
  readonly kept: ChainState | undefined;
  readonly answer: 'head' | 'brake' | 'new';
}

function planChain(deps: InstallationDeps, current: InstallationRecord, action: ChainAction, now: Date): ChainPlan {
  const state = current.chain;
  if (action.kind === 'keep') return { renewed: { state: state ?? firstHead(newChain(), now) }, kept: state, answer: 'new' };
  if (action.kind === 'owner-restore') return { renewed: afterOwnerRestore(state, newChain(), now), kept: state, answer: 'new' };
  const { presentation } = action;
  if (action.heartbeat) {
    const missing = missingPresentation(productOf(deps.catalog, current.productId), presentation);
    if (missing.length > 0) throw problem('VALIDATION_FAILED', 'the heartbeat must present its chain', { errors: missing });
  }
  const judgement = judgePresentation(state, presentation, now);
  if (judgement === 'key-reused') throw problem('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key came with another heartbeat before: a new heartbeat needs a new key');
  const judged = { judgement, presented: presentation, now };
  const renewed = afterPresentation(state, { ...judged, head: newChain(), braked: false });
  const kept = state && afterPresentation(state, { ...judged, head: state.head, braked: true }).state;
  if (judgement === 'retry') return { renewed, kept, answer: 'head' };
  return { renewed, kept, answer: action.heartbeat && brakeMayAnswer(state, presentation, judgement) ? 'brake' : 'new' };
}

/**
 * Records what an installation reports (usage, version, when it was last seen) and signs its fresh
 * token. One read, at most one signature, one transaction: the token is decided from the installation's
 * copy of its licenses, and the transaction holds only if none of their statuses changed meanwhile —
 * otherwise the copies are refreshed and the attempt runs again, signing. Signing comes before the
 * commit, so a signing failure leaves nothing behind. The chain is judged in the same attempt, on the
 * revision read: the transaction's revision check is the condition on the head, so two copies
 * presenting at once are judged one after the other (the second again, against the first's new head).
 * A retry answers the head's token; a heartbeat presenting the head gets it again where the brake
 * allows (token-reuse.ts); a new online token asks for its refresh later when it decides what the
 * recent one did.
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
    /** What happens to the chain; `keep` unless said otherwise. */
    readonly chain?: ChainAction;
    /** Who acted, for the chain's events (a fork, a clone). */
    readonly actor?: Actor;
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
    // License files carry no chain and are not judged.
    const plan = args.lifetime.kind === 'online' ? planChain(deps, current, args.chain ?? { kind: 'keep' }, args.now) : undefined;
    const answered = await answerToken(deps, { current, changed: spending.installation, plan, mayReuse: !licensesChanged, lifetime: args.lifetime, now: args.now });
    const { token, exp, iat, chain, event } = answered;
    // A token answered again changes no mode; a new one may (installation.mode_changed, in this transaction).
    const mode = 'claims' in answered ? modeChange(current, answered.claims, args.now) : undefined;
    // Slot accounting: the token's exp, on the installation and on each activation it carries.
    const next: InstallationRecord = {
      ...spending.installation,
      ...(chain === undefined ? {} : { chain }),
      tokenExp: latestTokenExp(current, exp),
      tokenIat: Math.max(current.tokenIat ?? 0, iat),
      recentToken: args.lifetime.kind === 'online' ? { token, rev: spending.installation.rev } : undefined,
      ...(mode ? { tokenMode: mode.tokenMode } : {}),
    };
    const items: LabelledItem<'installation' | 'proof' | 'license' | 'seen' | 'event'>[] = [
      ['installation', installationPut(table, next, current.rev)],
      ...seenItems(table, next).map((item) => ['seen', item] as const),
      ...spending.items.map((item) => ['proof', item] as const),
      ...Object.values(next.licenses).map((activated) => ['license', licenseUnchanged(table, activated.licenseId, activated.status)] as const),
      ...(event ? chainEventItems(table, next, event, args.actor ?? actorOf({ installation: next }, next.hostname), args.now).map((item) => ['event', item] as const) : []),
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

/**
 * The token an attempt answers, and the chain it leaves: the head's token again for a retry (signed
 * anew, with the head, if the item no longer keeps it), the head's token where the brake allows, else
 * a new signature — with the new head, asking for its refresh later when it decides what the recent
 * token did. A new signature comes with its claims (whose mode `installation.mode_changed` compares).
 */
async function answerToken(
  deps: TokenDeps,
  args: { current: InstallationRecord; changed: InstallationRecord; plan: ChainPlan | undefined; mayReuse: boolean; lifetime: TokenLifetime; now: Date },
): Promise<(SignedToken | NewToken) & { chain?: ChainState; event?: ChainEvent }> {
  const { current, changed, plan, lifetime, now } = args;
  if (plan?.answer === 'head' || (plan?.answer === 'brake' && args.mayReuse)) {
    const keeping = { ...changed, chain: plan.kept };
    const again = plan.answer === 'head' ? headToken(current) : reusableToken(current, licenseClaims(deps, keeping, lifetime, now), await deps.signer.keyId());
    if (again) return { ...again, chain: plan.kept };
    if (plan.answer === 'head') return { ...(await signClaims(deps, licenseClaims(deps, keeping, lifetime, now))), chain: plan.kept };
  }
  const renewed: InstallationRecord = plan ? { ...changed, chain: plan.renewed.state } : changed;
  const fresh = licenseClaims(deps, renewed, lifetime, now);
  const settled = lifetime.kind === 'online' && answerSettled(current, fresh);
  const signed = await signClaims(deps, settled ? licenseClaims(deps, renewed, { ...lifetime, refreshIntervalSeconds: settledRefreshIntervalSeconds }, now) : fresh);
  return { ...signed, ...(plan ? { chain: plan.renewed.state, ...(plan.renewed.event ? { event: plan.renewed.event } : {}) } : {}) };
}
