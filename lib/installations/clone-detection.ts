import { createHash, randomBytes } from 'node:crypto';
import type { Product } from '@license-activation/contract/catalog-schema';
import type { FieldError } from '@license-activation/contract/problem';
import type { EventType } from '@license-activation/contract/schemas';
import type { ChainState } from '../data/installations.js';

export type { ChainState };

/**
 * Copies of one installation (API.md §10). A server image copied with its state phones home with the
 * same key, so the key cannot tell the copies apart; a chain can. Every online token carries a `chain`
 * that changes with every new token, and the installation presents the chain of the newest token it
 * holds. The service keeps the newest chain it issued (the head), and this module judges each
 * presentation against it. Everything here is pure: the state comes in, the judgement and the next
 * state go out; lib/installations/refresh-installation.ts commits them under the item's revision check.
 */

/** A request of one client crossing another of the same client: within this of the head's issue, a retry. */
export const crossingWindowMs = 30_000;
/** How many heads that forks replaced the service remembers: their return is a clone. */
export const maxReplacedHeads = 8;
/** How many keys of crossing requests answered the head's token the service remembers beside the one that obtained it. */
export const maxCrossingKeys = 4;

/** What a heartbeat or the installation's own restore presents. */
export interface ChainPresentation {
  readonly chain?: string;
  /** The hash of the `Idempotency-Key` (heartbeats; a restore has none). */
  readonly keyHash?: string;
  /** The hash of the request's body (heartbeats) or of its chain (restores). */
  readonly bodyHash: string;
}

/** What the installation's own restore presents (`GET …?chain=`): a chain, without an `Idempotency-Key`. */
export function restorePresentation(chain: string | undefined): ChainPresentation {
  return { ...(chain === undefined ? {} : { chain }), bodyHash: digest(chain ?? '') };
}

/**
 * How the service takes a presentation:
 * - `step`: the head (or no chain from an installation that never presented one): a new head;
 * - `retry`: what obtained the head again, by the same key or within 30 s of the head's issue: the
 *   head's token again, nothing counted;
 * - `key-reused`: the key that obtained the head with another body (422 `IDEMPOTENCY_KEY_REUSED`);
 * - `clone`: a head that a fork replaced: a second copy runs;
 * - `fork`: anything else (an older or unknown chain, or none from an installation that presented
 *   one before): a new head, the old one remembered as replaced.
 */
export type ChainJudgement = 'step' | 'retry' | 'key-reused' | 'clone' | 'fork';

/**
 * Judges a presentation against the installation's chain state at `now`. The order is the rule: the
 * key that obtained the head first (its retries, or its reuse with another body), then the head, then
 * no chain from an installation that never presented one, then a crossing request, then a replaced
 * head; anything else is a fork.
 */
export function judgePresentation(state: ChainState | undefined, presented: ChainPresentation, now: Date): ChainJudgement {
  if (state === undefined) return presented.chain === undefined ? 'step' : 'fork';
  const { obtainedBy } = state;
  const sameKey = presented.keyHash === undefined ? undefined : answeredKeys(state).find((answered) => answered.keyHash === presented.keyHash);
  if (sameKey) return sameKey.bodyHash === presented.bodyHash ? 'retry' : 'key-reused';
  if (presented.chain !== undefined && presented.chain === state.head) return 'step';
  // A client that never presented a chain cannot be judged by one: each of its heartbeats is a step.
  if (presented.chain === undefined && state.presented !== true) return 'step';
  if (obtainedBy !== undefined && obtainedBy.chain === presented.chain && now.getTime() - Date.parse(state.issuedAt) <= crossingWindowMs) return 'retry';
  if (presented.chain !== undefined && state.replaced.includes(presented.chain)) return 'clone';
  return 'fork';
}

/** The keys that were answered the head's token: the one that obtained it, and those of requests crossing it. */
function answeredKeys(state: ChainState): { readonly keyHash: string; readonly bodyHash: string }[] {
  const { obtainedBy } = state;
  if (obtainedBy === undefined) return [];
  return [...(obtainedBy.keyHash === undefined ? [] : [{ keyHash: obtainedBy.keyHash, bodyHash: obtainedBy.bodyHash }]), ...(obtainedBy.crossing ?? [])];
}

/**
 * Whether the heartbeat brake may answer the head's token instead of a new one: only a heartbeat that
 * presents the head itself. A fork, a clone, or an installation that presents no chain always gets a
 * new token (the brake keeps the head, so detection would wait for it).
 */
export function brakeMayAnswer(state: ChainState | undefined, presented: ChainPresentation, judgement: ChainJudgement): boolean {
  return judgement === 'step' && state !== undefined && presented.chain === state.head;
}

/** What happened to the chain, for the installation's event feed. */
export interface ChainEvent {
  readonly type: Extract<EventType, 'installation.forked' | 'installation.clone_detected' | 'installation.clone_cleared'>;
  readonly data: { readonly forks: number };
}

/** A new chain: 128 random bits, 22 base64url characters. */
export function newChain(): string {
  return randomBytes(16).toString('base64url');
}

/** A short, stable digest of a key or a body: 128 bits of SHA-256, base64url. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest().subarray(0, 16).toString('base64url');
}

/** The first head of an installation that has none (a trial, a first activation, an item older than chains). */
export function firstHead(head: string, now: Date): ChainState {
  return { head, issuedAt: now.toISOString(), replaced: [], forks: 0 };
}

/**
 * A crossing request answered the head's token under its own key: that key is remembered, so that a copy
 * of that request still on its way, or its retry, is a retry too rather than a fork of the head it got.
 */
function withCrossingKey(state: ChainState, presented: ChainPresentation): ChainState {
  const { obtainedBy } = state;
  const { keyHash } = presented;
  if (obtainedBy === undefined || keyHash === undefined || answeredKeys(state).some((answered) => answered.keyHash === keyHash)) return state;
  const crossing = [...(obtainedBy.crossing ?? []), { keyHash, bodyHash: presented.bodyHash }].slice(-maxCrossingKeys);
  return { ...state, obtainedBy: { ...obtainedBy, crossing } };
}

const replacing = (state: ChainState, head: string, now: Date): Pick<ChainState, 'head' | 'issuedAt' | 'replaced' | 'forks'> => ({
  head,
  issuedAt: now.toISOString(),
  replaced: [...state.replaced, state.head].slice(-maxReplacedHeads),
  forks: state.forks + 1,
});

/**
 * The chain state after a judged presentation, and the event it makes, if any. `head` is the new head
 * a step, fork or clone issues; `braked` says that the brake answered the head's token instead.
 * A retry and a braked step leave the head as it is.
 */
export function afterPresentation(
  state: ChainState | undefined,
  args: { readonly judgement: Exclude<ChainJudgement, 'key-reused'>; readonly presented: ChainPresentation; readonly head: string; readonly braked: boolean; readonly now: Date },
): { state: ChainState; event?: ChainEvent } {
  const { judgement, presented, head, now } = args;
  const presentedChain = presented.chain !== undefined || state?.presented === true ? { presented: true } : {};
  const obtainedBy = {
    obtainedBy: { ...(presented.chain === undefined ? {} : { chain: presented.chain }), ...(presented.keyHash === undefined ? {} : { keyHash: presented.keyHash }), bodyHash: presented.bodyHash },
  };
  if (state === undefined) {
    // An installation older than chains: no chain is a step; a chain it cannot have been given, a fork.
    const first = { ...firstHead(head, now), ...obtainedBy, ...presentedChain };
    return judgement === 'fork' ? { state: { ...first, forks: 1 }, event: { type: 'installation.forked', data: { forks: 1 } } } : { state: first };
  }
  if (judgement === 'retry') return { state: { ...withCrossingKey(state, presented), ...presentedChain } };
  if (judgement === 'step' && args.braked) return { state: { ...state, ...presentedChain } };
  if (judgement === 'step') return { state: { ...state, head, issuedAt: now.toISOString(), ...obtainedBy, ...presentedChain } };
  const forked = { ...state, ...replacing(state, head, now), ...obtainedBy, ...presentedChain };
  if (judgement === 'fork') return { state: forked, event: { type: 'installation.forked', data: { forks: forked.forks } } };
  if (state.cloneDetectedAt !== undefined) return { state: forked };
  return { state: { ...forked, cloneDetectedAt: now.toISOString() }, event: { type: 'installation.clone_detected', data: { forks: forked.forks } } };
}

/**
 * An owner's (or ops') restore, for a server rebuilt from nothing with the installation's key: a fork
 * with a new head that nothing presented, so that no request can be a retry of it.
 */
export function afterOwnerRestore(state: ChainState | undefined, head: string, now: Date): { state: ChainState; event: ChainEvent } {
  const forked: ChainState = state === undefined ? { ...firstHead(head, now), forks: 1 } : { ...state, ...replacing(state, head, now), obtainedBy: undefined };
  return { state: forked, event: { type: 'installation.forked', data: { forks: forked.forks } } };
}

/** The detection, the fork count and the replaced heads forgotten; the head stands. */
export function afterClearing(state: ChainState): { state: ChainState; event: ChainEvent } {
  return { state: { ...state, replaced: [], forks: 0, cloneDetectedAt: undefined }, event: { type: 'installation.clone_cleared', data: { forks: state.forks } } };
}

/**
 * Where the product limits clones, a heartbeat must present its chain and an `Idempotency-Key`
 * (400 `VALIDATION_FAILED` without them); other products accept heartbeats without them from
 * installations that never presented a chain.
 */
export function missingPresentation(product: Product, presented: { readonly chain?: string; readonly keyHash?: string }): FieldError[] {
  if (product.clones !== 'limit') return [];
  const required = `required: ${product.name} detects copies of an installation by the chain of its newest token`;
  return [
    ...(presented.chain === undefined ? [{ path: 'chain', message: required }] : []),
    ...(presented.keyHash === undefined ? [{ path: 'Idempotency-Key', message: `${required}, and a retry by the key it was first sent with` }] : []),
  ];
}
