/**
 * How a client keeps its chain (API.md §10), so that one installation alone — whatever answers are lost,
 * however its requests cross, however often it restarts — is never taken for a second copy of itself.
 * The service remembers the heads that forks replaced, and a request of its own that is judged after the
 * installation got a newer token could fork that token's head away. Four rules, pure, used by the client
 * and by the tests that check them against the service's own decision (test/unit/installations):
 * 1. keep the token with the newest `iat` (the service issues each later than the last), and save it
 *    (its chain) before anything else;
 * 2. a presentation — a heartbeat, with its `Idempotency-Key`, or a restore (`?chain=`) — is saved before
 *    it is sent, and sent again unchanged until it is answered (or refused for good), whatever tokens
 *    arrive meanwhile: its own answer tells whether it forked the head those tokens carry, and, newer,
 *    replaces them;
 * 3. while a presentation waits for its answer, no other is made: a heartbeat or a restore sends the one
 *    waiting first;
 * 4. a newer chain is presented only once every request that presented the older one has been judged
 *    (15 s after the last was sent; the service gives up on a request after 10 s): a copy of the last
 *    heartbeat still on its way, from a process that restarted or another process on the same state,
 *    must not meet a head two steps on, where it would be a fork.
 */

/** How long after its sending a request has surely been judged: the service gives up after 10 s. */
export const judgedWithinMs = 15_000;

/** The chain the installation presented last, and when (epoch ms). */
export interface LastPresentation {
  readonly chain?: string;
  readonly sentAt: number;
}

/** When a request presenting `chain` may be sent (epoch ms): at once for the chain presented last, else once every request that presented that one has been judged. */
export function mayPresentAt(last: LastPresentation | undefined, chain: string | undefined): number {
  return last === undefined || last.chain === chain ? 0 : last.sentAt + judgedWithinMs;
}

/** What a heartbeat sends: its body, with the chain it presents. */
export interface HeartbeatBody {
  readonly version: string;
  readonly usage: { readonly activeUsers: number };
  readonly chain?: string;
}

/**
 * A presentation saved before it is sent, and sent again unchanged until answered: a heartbeat (`key` is its
 * `Idempotency-Key`) or the installation's own restore (`key` only tells its answer apart; nothing sends it).
 */
export type PendingPresentation =
  | { readonly kind: 'heartbeat'; readonly key: string; readonly body: HeartbeatBody }
  | { readonly kind: 'restore'; readonly key: string; readonly chain?: string };

/** The presentation to send now: the one waiting for its answer, unchanged, or `next` (rule 3). */
export function presentationToSend(pending: PendingPresentation | undefined, next: () => PendingPresentation): PendingPresentation {
  return pending ?? next();
}

/** A new heartbeat presenting the chain held, under a new key. */
export function newHeartbeat(heldChain: string | undefined, report: { readonly version: string; readonly activeUsers: number }, key: string): PendingPresentation {
  return { kind: 'heartbeat', key, body: { version: report.version, usage: { activeUsers: report.activeUsers }, ...(heldChain === undefined ? {} : { chain: heldChain }) } };
}

/** A new restore presenting the chain held. */
export function newRestore(heldChain: string | undefined, key: string): PendingPresentation {
  return { kind: 'restore', key, ...(heldChain === undefined ? {} : { chain: heldChain }) };
}

/** The chain a presentation presents. */
export const chainPresented = (presentation: PendingPresentation): string | undefined =>
  presentation.kind === 'heartbeat' ? presentation.body.chain : presentation.chain;

/** Whether a token answered replaces the one held: the newest `iat` wins. */
export function replacesHeld(candidate: { readonly iat: number }, held: { readonly iat: number } | undefined): boolean {
  return held === undefined || candidate.iat >= held.iat;
}

/** The presentation still waiting once the one under `settledKey` was answered or refused for good. */
export function pendingAfter(pending: PendingPresentation | undefined, settledKey: string | undefined): PendingPresentation | undefined {
  return pending?.key === settledKey ? undefined : pending;
}
