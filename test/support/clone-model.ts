import { afterOwnerRestore, afterPresentation, brakeMayAnswer, firstHead, judgePresentation, restorePresentation } from '#lib/installations/clone-detection.js';
import type { ChainJudgement, ChainPresentation, ChainState } from '#lib/installations/clone-detection.js';
import { heartbeatPresentation } from '#lib/installations/heartbeat.js';
import { brakePeriodSeconds } from '#lib/installations/token-reuse.js';
import { mayPresentAt, newHeartbeat, newRestore, pendingAfter, presentationToSend, replacesHeld } from '../../packages/client/src/chain-keeping.js';
import type { LastPresentation, PendingPresentation } from '../../packages/client/src/chain-keeping.js';

/**
 * A model of API.md §10 for property tests and simulations: the service's own pure decision
 * (clone-detection.ts) and brake rule, and the client's own rules (packages/client chain-keeping.ts),
 * with tokens reduced to their chain, issue time and refresh time. Time is in milliseconds. Nothing in
 * it decides anything of its own: it only drives the real functions in the order requests would meet.
 */

export const dayMs = 24 * 60 * 60 * 1000;

/** A token as the model sees it. */
export interface ModelToken {
  readonly chain: string;
  readonly iat: number;
  readonly refreshAfter: number;
}

/** How the service took one presentation, and when. */
export interface Judged {
  readonly kind: PendingPresentation['kind'];
  readonly judgement: ChainJudgement;
  readonly at: number;
  /** A retry by the 30 s rule (another key, or none), rather than by the key that obtained the head. */
  readonly crossing: boolean;
  /** Whether a new head was issued (a step the brake did not answer, a fork, a clone). */
  readonly newHead: boolean;
}

/**
 * The service's side: the installation's chain state and its head's token. Every new token asks for its
 * refresh `refreshIntervalMs` later (the service settles on 7 days while nothing changes); the brake answers
 * a heartbeat presenting the head with the head's token while that token does not yet ask for a refresh
 * and is at most 7 days old (in this model the decision itself never changes).
 */
export class ServiceModel {
  state: ChainState;
  head: ModelToken;
  readonly judged: Judged[] = [];
  private issued = 0;
  private lastIat: number | undefined;

  constructor(
    start: number,
    private readonly refreshIntervalMs: number,
  ) {
    this.head = this.newToken('c0', start);
    this.state = firstHead(this.head.chain, new Date(start));
  }

  /** As the service issues them: `iat` in whole seconds, each later than the last. */
  private newToken(chain: string, now: number): ModelToken {
    const iat = Math.max(Math.floor(now / 1000) * 1000, (this.lastIat ?? -Infinity) + 1000);
    this.lastIat = iat;
    return { chain, iat, refreshAfter: now + this.refreshIntervalMs };
  }

  private nextChain(): string {
    this.issued += 1;
    return `c${this.issued}`;
  }

  /** A heartbeat (with its key) or the installation's own restore: the token answered, or a refusal. */
  present(presentation: PendingPresentation, now: number): ModelToken | 'refused' {
    const presented: ChainPresentation = presentation.kind === 'heartbeat' ? heartbeatPresentation(presentation.body, presentation.key) : restorePresentation(presentation.chain);
    const at = new Date(now);
    const judgement = judgePresentation(this.state, presented, at);
    const judged = { kind: presentation.kind, judgement, at: now, crossing: judgement === 'retry' && presented.keyHash !== this.state.obtainedBy?.keyHash };
    if (judgement === 'key-reused' || judgement === 'retry') this.judged.push({ ...judged, newHead: false });
    if (judgement === 'key-reused') return 'refused';
    if (judgement === 'retry') {
      this.state = afterPresentation(this.state, { judgement, presented, head: this.state.head, braked: true, now: at }).state;
      return this.head;
    }
    const braked =
      presentation.kind === 'heartbeat' && brakeMayAnswer(this.state, presented, judgement) && this.head.refreshAfter > now && now - this.head.iat <= brakePeriodSeconds * 1000;
    this.judged.push({ ...judged, newHead: !braked });
    const head = braked ? this.state.head : this.nextChain();
    this.state = afterPresentation(this.state, { judgement, presented, head, braked, now: at }).state;
    if (!braked) this.head = this.newToken(head, now);
    return this.head;
  }

  /** A repeated activation: a token with the current head, nothing counted. */
  repeatActivation(now: number): ModelToken {
    this.head = this.newToken(this.state.head, now);
    return this.head;
  }

  /** An owner's restore of a server rebuilt from nothing: a fork with a new head. */
  ownerRestore(now: number): ModelToken {
    const head = this.nextChain();
    this.state = afterOwnerRestore(this.state, head, new Date(now)).state;
    this.head = this.newToken(head, now);
    return this.head;
  }

  get clones(): Judged[] {
    return this.judged.filter((judged) => judged.judgement === 'clone');
  }
}

/** What a client keeps: its token, the presentation waiting for its answer, the chain it presented last (the state file). */
export interface ClientModelState {
  readonly token: ModelToken | undefined;
  readonly pending: PendingPresentation | undefined;
  readonly lastPresentation?: LastPresentation;
}

let keys = 0;
const newKey = () => `key-${(keys += 1)}`;

/**
 * The presentation a client sends now, as `LicenseClient.heartbeat` or `restore` saves it before sending
 * (the one waiting for its answer first), and the client once it has sent it; nothing while rule 4 of
 * chain-keeping.ts makes it wait.
 */
export function clientPresents(client: ClientModelState, wanted: 'heartbeat' | 'restore', now: number): { client: ClientModelState; presentation: PendingPresentation } | undefined {
  const held = client.token?.chain;
  const presentation = presentationToSend(client.pending, () => (wanted === 'heartbeat' ? newHeartbeat(held, { version: '5.0.0', activeUsers: 1 }, newKey()) : newRestore(held, newKey())));
  const chain = presentation.kind === 'heartbeat' ? presentation.body.chain : presentation.chain;
  if (mayPresentAt(client.lastPresentation, chain) > now) return undefined;
  return { client: { ...client, pending: presentation, lastPresentation: { ...(chain === undefined ? {} : { chain }), sentAt: now } }, presentation };
}

/** The client once an answer arrives: the newest token kept, the presentation it answers settled. */
export function clientAnswered(client: ClientModelState, token: ModelToken, answeredKey?: string): ClientModelState {
  const kept = client.token === undefined || replacesHeld(token, client.token) ? token : client.token;
  return { ...client, token: kept, pending: pendingAfter(client.pending, answeredKey) };
}

/** The client once a presentation was refused for good (`IDEMPOTENCY_KEY_REUSED`): it is settled. */
export function clientRefused(client: ClientModelState, refusedKey: string): ClientModelState {
  return { ...client, pending: pendingAfter(client.pending, refusedKey) };
}
