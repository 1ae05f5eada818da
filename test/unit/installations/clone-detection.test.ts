import { describe, expect, it } from 'vitest';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { Product } from '@license-activation/contract/catalog-schema';
import {
  afterClearing,
  afterOwnerRestore,
  afterPresentation,
  brakeMayAnswer,
  crossingWindowMs,
  judgePresentation,
  maxReplacedHeads,
  missingPresentation,
} from '#lib/installations/clone-detection.js';
import type { ChainJudgement, ChainPresentation, ChainState } from '#lib/installations/clone-detection.js';

// Chains are opaque: readable names stand in for the 22 random characters.
const issuedAt = new Date('2026-06-01T12:00:00.000Z');
const after = (ms: number) => new Date(issuedAt.getTime() + ms);
const second = 1000;

/** H1 is the head, obtained by H0 with key K1; a fork replaced R1 and R2 before. */
const state: ChainState = {
  head: 'H1',
  issuedAt: issuedAt.toISOString(),
  obtainedBy: { chain: 'H0', keyHash: 'K1', bodyHash: 'B1' },
  replaced: ['R1', 'R2'],
  forks: 2,
  presented: true,
};

describe('judgePresentation', () => {
  it.each<[string, ChainState | undefined, ChainPresentation, Date, ChainJudgement]>([
    ['the head: an ordinary step', state, { chain: 'H1', keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'step'],
    ['the head, long after its issue', state, { chain: 'H1', keyHash: 'K2', bodyHash: 'B2' }, after(30 * 24 * 3600 * second), 'step'],
    ['the chain that obtained the head with its key: a retry, at any time while that head stands', state, { chain: 'H0', keyHash: 'K1', bodyHash: 'B1' }, after(10 * 24 * 3600 * second), 'retry'],
    ['the key that obtained the head with another body', state, { chain: 'H0', keyHash: 'K1', bodyHash: 'B9' }, after(5 * second), 'key-reused'],
    ['the key that obtained the head presenting the head itself (another body)', state, { chain: 'H1', keyHash: 'K1', bodyHash: 'B9' }, after(5 * second), 'key-reused'],
    ['the obtaining chain with another key 29 s after the head: two requests crossing', state, { chain: 'H0', keyHash: 'K2', bodyHash: 'B2' }, after(crossingWindowMs - second), 'retry'],
    ['the obtaining chain with another key 30 s after the head', state, { chain: 'H0', keyHash: 'K2', bodyHash: 'B2' }, after(crossingWindowMs), 'retry'],
    ['the obtaining chain with another key 31 s after the head: a fork', state, { chain: 'H0', keyHash: 'K2', bodyHash: 'B2' }, after(crossingWindowMs + second), 'fork'],
    ['the obtaining chain as a restore (no key) 29 s after the head', state, { chain: 'H0', bodyHash: 'C0' }, after(crossingWindowMs - second), 'retry'],
    ['the obtaining chain as a restore (no key) 31 s after the head', state, { chain: 'H0', bodyHash: 'C0' }, after(crossingWindowMs + second), 'fork'],
    ['a head that a fork replaced: a second copy runs', state, { chain: 'R2', keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'clone'],
    ['the oldest replaced head remembered', state, { chain: 'R1', bodyHash: 'C1' }, after(5 * 24 * 3600 * second), 'clone'],
    ['an older chain that no fork replaced (a restored backup)', state, { chain: 'H-2', keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'fork'],
    ['an unknown chain', state, { chain: 'unknown', keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'fork'],
    ['no chain from an installation that presented one before', state, { keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'fork'],
    ['no chain from an installation that never presented one', { ...state, presented: false }, { keyHash: 'K2', bodyHash: 'B2' }, after(5 * second), 'step'],
    ['no chain and no key from an installation that never presented one, within 30 s', { ...state, presented: false, obtainedBy: { bodyHash: 'B1' } }, { bodyHash: 'B2' }, after(5 * second), 'step'],
    ['the key that obtained the head of a client without chains', { ...state, presented: false, obtainedBy: { keyHash: 'K1', bodyHash: 'B1' } }, { keyHash: 'K1', bodyHash: 'B1' }, after(5 * second), 'retry'],
    ['the chain before an owner\'s restore, within 30 s of it: nothing obtained that head', { ...state, obtainedBy: undefined }, { chain: 'H0', bodyHash: 'C0' }, after(second), 'fork'],
    ['no chain to an installation older than chains', undefined, { keyHash: 'K2', bodyHash: 'B2' }, after(second), 'step'],
    ['a chain to an installation older than chains', undefined, { chain: 'H0', keyHash: 'K2', bodyHash: 'B2' }, after(second), 'fork'],
  ])('%s', (_case, chainState, presented, now, judgement) => {
    expect(judgePresentation(chainState, presented, now)).toBe(judgement);
  });
});

describe('brakeMayAnswer', () => {
  it.each<[string, ChainState | undefined, ChainPresentation, ChainJudgement, boolean]>([
    ['a heartbeat presenting the head', state, { chain: 'H1', keyHash: 'K2', bodyHash: 'B2' }, 'step', true],
    ['a heartbeat without a chain from a client that never presented one', { ...state, presented: false }, { keyHash: 'K2', bodyHash: 'B2' }, 'step', false],
    ['a fork', state, { chain: 'unknown', keyHash: 'K2', bodyHash: 'B2' }, 'fork', false],
    ['a clone', state, { chain: 'R2', keyHash: 'K2', bodyHash: 'B2' }, 'clone', false],
    ['a retry (answered with the head\'s token anyway)', state, { chain: 'H0', keyHash: 'K1', bodyHash: 'B1' }, 'retry', false],
  ])('%s: %s', (_case, chainState, presented, judgement, braked) => {
    expect(brakeMayAnswer(chainState, presented, judgement)).toBe(braked);
  });
});

describe('afterPresentation', () => {
  const now = after(60 * second);
  const presented = { chain: 'H1', keyHash: 'K2', bodyHash: 'B2' };

  it('moves the head on a step, remembering what obtained it', () => {
    expect(afterPresentation(state, { judgement: 'step', presented, head: 'H2', braked: false, now })).toEqual({
      state: { ...state, head: 'H2', issuedAt: now.toISOString(), obtainedBy: { chain: 'H1', keyHash: 'K2', bodyHash: 'B2' } },
    });
  });

  it('keeps the head when the brake answered, and on a retry', () => {
    expect(afterPresentation(state, { judgement: 'step', presented, head: 'H1', braked: true, now }).state).toEqual(state);
    expect(afterPresentation(state, { judgement: 'retry', presented: { chain: 'H0', keyHash: 'K1', bodyHash: 'B1' }, head: 'H1', braked: true, now }).state).toEqual(state);
  });

  it('replaces the head on a fork, remembering it, and counts it', () => {
    expect(afterPresentation(state, { judgement: 'fork', presented: { chain: 'old', bodyHash: 'C' }, head: 'H2', braked: false, now })).toEqual({
      state: { ...state, head: 'H2', issuedAt: now.toISOString(), obtainedBy: { chain: 'old', bodyHash: 'C' }, replaced: ['R1', 'R2', 'H1'], forks: 3 },
      event: { type: 'installation.forked', data: { forks: 3 } },
    });
  });

  it('remembers the last 8 replaced heads', () => {
    const full = { ...state, replaced: Array.from({ length: maxReplacedHeads }, (_, index) => `R${index}`) };
    const forked = afterPresentation(full, { judgement: 'fork', presented: { chain: 'old', bodyHash: 'C' }, head: 'H2', braked: false, now }).state;
    expect(forked.replaced).toEqual([...full.replaced.slice(1), 'H1']);
  });

  it('detects a clone once: the detection is written with the first, later clones carry on like forks', () => {
    const detected = afterPresentation(state, { judgement: 'clone', presented: { chain: 'R2', keyHash: 'K3', bodyHash: 'B3' }, head: 'H2', braked: false, now });
    expect(detected).toEqual({
      state: { ...state, head: 'H2', issuedAt: now.toISOString(), obtainedBy: { chain: 'R2', keyHash: 'K3', bodyHash: 'B3' }, replaced: ['R1', 'R2', 'H1'], forks: 3, cloneDetectedAt: now.toISOString() },
      event: { type: 'installation.clone_detected', data: { forks: 3 } },
    });
    const again = afterPresentation(detected.state, { judgement: 'clone', presented: { chain: 'H1', bodyHash: 'C' }, head: 'H3', braked: false, now: after(120 * second) });
    expect(again.event).toBeUndefined();
    expect(again.state).toMatchObject({ head: 'H3', cloneDetectedAt: now.toISOString(), forks: 4 });
  });

  it('remembers the key of a crossing request answered the head, so that its own retries are retries after the 30 s too', () => {
    const crossing = { chain: 'H0', keyHash: 'K2', bodyHash: 'B2' };
    const answered = afterPresentation(state, { judgement: 'retry', presented: crossing, head: 'H1', braked: true, now: after(20 * second) }).state;
    expect(answered.obtainedBy?.crossing).toEqual([{ keyHash: 'K2', bodyHash: 'B2' }]);
    expect(judgePresentation(answered, crossing, after(10 * 60 * second))).toBe('retry');
    expect(judgePresentation(answered, { ...crossing, bodyHash: 'B9' }, after(10 * 60 * second))).toBe('key-reused');
    // Without a key there is nothing to remember: a restore repeated past the 30 s is a fork.
    expect(afterPresentation(state, { judgement: 'retry', presented: { chain: 'H0', bodyHash: 'C0' }, head: 'H1', braked: true, now: after(20 * second) }).state).toEqual(state);
  });

  it('remembers that the installation presented a chain, so that none from it later is a fork', () => {
    const legacy = { ...state, presented: false };
    expect(afterPresentation(legacy, { judgement: 'step', presented: { bodyHash: 'B2' }, head: 'H2', braked: false, now }).state.presented).toBe(false);
    expect(afterPresentation(legacy, { judgement: 'step', presented, head: 'H2', braked: true, now }).state.presented).toBe(true);
  });

  it('gives an installation older than chains its first head, and counts a chain it cannot have had as a fork', () => {
    expect(afterPresentation(undefined, { judgement: 'step', presented: { bodyHash: 'B' }, head: 'H', braked: false, now })).toEqual({
      state: { head: 'H', issuedAt: now.toISOString(), obtainedBy: { bodyHash: 'B' }, replaced: [], forks: 0 },
    });
    expect(afterPresentation(undefined, { judgement: 'fork', presented: { chain: 'X', bodyHash: 'B' }, head: 'H', braked: false, now })).toMatchObject({
      state: { head: 'H', replaced: [], forks: 1, presented: true },
      event: { type: 'installation.forked', data: { forks: 1 } },
    });
  });
});

describe('afterOwnerRestore and afterClearing', () => {
  const now = after(60 * second);

  it('restores by a fork that nothing presented: the old head is replaced, and no request is a retry of the new one', () => {
    const restored = afterOwnerRestore(state, 'H2', now);
    expect(restored).toEqual({
      state: { ...state, head: 'H2', issuedAt: now.toISOString(), obtainedBy: undefined, replaced: ['R1', 'R2', 'H1'], forks: 3 },
      event: { type: 'installation.forked', data: { forks: 3 } },
    });
    expect(judgePresentation(restored.state, { chain: 'H1', bodyHash: 'C' }, after(61 * second))).toBe('clone');
    expect(judgePresentation(restored.state, { chain: 'H2', keyHash: 'K', bodyHash: 'B' }, after(61 * second))).toBe('step');
  });

  it('forgets the detection, the forks and the replaced heads, and keeps the head', () => {
    const detected = { ...state, cloneDetectedAt: now.toISOString() };
    const cleared = afterClearing(detected);
    expect(cleared).toEqual({ state: { ...state, replaced: [], forks: 0, cloneDetectedAt: undefined }, event: { type: 'installation.clone_cleared', data: { forks: 2 } } });
    // The copy that still holds a replaced head is now a fork, and is detected once the other presents its own.
    expect(judgePresentation(cleared.state, { chain: 'R2', bodyHash: 'C' }, now)).toBe('fork');
  });
});

describe('missingPresentation', () => {
  const product = (id: string): Product => referenceCatalog[id] as Product;

  it.each<[string, string, { chain?: string; keyHash?: string }, string[]]>([
    ['a product that limits clones, with both', 'modeler', { chain: 'H1', keyHash: 'K' }, []],
    ['a product that limits clones, without a chain', 'modeler', { keyHash: 'K' }, ['chain']],
    ['a product that limits clones, without a key', 'modeler', { chain: 'H1' }, ['Idempotency-Key']],
    ['a product that limits clones, with neither', 'modeler', {}, ['chain', 'Idempotency-Key']],
    ['a product that warns, with neither', 'authserver', {}, []],
    ['another product that warns, with neither', 'vault', {}, []],
  ])('%s', (_case, productId, presented, paths) => {
    expect(missingPresentation(product(productId), presented).map((error) => error.path)).toEqual(paths);
  });
});
