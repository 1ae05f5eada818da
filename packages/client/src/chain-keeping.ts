/**
 * How a client keeps its chain (API.md §10), so that one installation alone — whatever answers are lost,
 * however its requests cross, however often it restarts — is never taken for a second copy of itself.
 * The service remembers the heads a fork replaced: a client must never present a chain older than one it
 * already holds, nor answer a lost heartbeat with a new one. Three rules, pure, used by the client and by
 * the tests that check them against the service's own decision:
 * 1. keep the token with the newest `iat`, and save it (its chain) before anything else;
 * 2. a heartbeat is saved, with its `Idempotency-Key`, before it is sent, and sent again unchanged until
 *    it is answered — as long as it presents the chain held;
 * 3. a pending heartbeat that no longer presents the chain held (a newer token came another way) is
 *    dropped, never sent: its retry would present an older chain.
 */

/** What a heartbeat sends: its body (with the chain it presents) and the key its retries repeat. */
export interface PendingHeartbeat {
  readonly idempotencyKey: string;
  readonly body: {
    readonly version: string;
    readonly usage: { readonly activeUsers: number };
    readonly chain?: string;
  };
}

/**
 * The heartbeat to send now: the pending one while it presents the chain held (a retry, unchanged), else
 * a new one presenting the chain held, under a new key.
 */
export function heartbeatToSend(
  pending: PendingHeartbeat | undefined,
  heldChain: string | undefined,
  report: { readonly version: string; readonly activeUsers: number },
  newKey: () => string,
): PendingHeartbeat {
  if (pending !== undefined && pending.body.chain === heldChain) return pending;
  return {
    idempotencyKey: newKey(),
    body: { version: report.version, usage: { activeUsers: report.activeUsers }, ...(heldChain === undefined ? {} : { chain: heldChain }) },
  };
}

/** Whether a token answered replaces the one held: the newest `iat` wins (the later answer, at the same second). */
export function replacesHeld(candidate: { readonly iat: number }, held: { readonly iat: number } | undefined): boolean {
  return held === undefined || candidate.iat >= held.iat;
}

/**
 * The pending heartbeat once a token is kept: gone when `answered` (its key) was answered, or when it no
 * longer presents the chain held.
 */
export function pendingAfter(pending: PendingHeartbeat | undefined, heldChain: string | undefined, answered?: string): PendingHeartbeat | undefined {
  if (pending === undefined || pending.idempotencyKey === answered || pending.body.chain !== heldChain) return undefined;
  return pending;
}
