/**
 * The events page reads audit feeds, each newest first and paged by cursor: one license's, one customer's,
 * or every customer's of a reseller at once. These helpers merge several feeds into one newest-first stream,
 * a page of each at a time, and pick out the events a filter wants. They import nothing, so the unit tests
 * run them as they are.
 */

export interface FeedEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
}

export interface FeedPage<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export type FetchFeed<T> = (feed: string, cursor: string | undefined) => Promise<FeedPage<T>>;

interface FeedState<T> {
  readonly feed: string;
  buffered: T[];
  cursor: string | undefined;
  started: boolean;
  exhausted: boolean;
}

/** Newer first; between two events of the same instant, the greater id (ULIDs sort by time). */
export function newerFirst(a: FeedEvent, b: FeedEvent): number {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/**
 * Several newest-first feeds read as one newest-first stream (a k-way merge): each feed's next page is
 * fetched only when its buffered events run out, and an event two feeds both hold is given once.
 */
export class MergedFeeds<T extends FeedEvent> {
  private readonly feeds: FeedState<T>[];
  private readonly given = new Set<string>();

  constructor(
    feeds: readonly string[],
    private readonly fetchFeed: FetchFeed<T>,
  ) {
    this.feeds = feeds.map((feed) => ({ feed, buffered: [], cursor: undefined, started: false, exhausted: false }));
  }

  /** Whether every feed has been read to its end and every event given. */
  get done(): boolean {
    return this.feeds.every((state) => state.exhausted && state.buffered.length === 0);
  }

  private async fill(): Promise<void> {
    const empty = this.feeds.filter((state) => state.buffered.length === 0 && !state.exhausted);
    await Promise.all(
      empty.map(async (state) => {
        const page = await this.fetchFeed(state.feed, state.cursor);
        state.buffered.push(...page.items);
        state.started = true;
        state.cursor = page.nextCursor;
        state.exhausted = page.nextCursor === undefined;
      }),
    );
  }

  /** The next event of all the feeds, newest first, or undefined once every feed has ended. */
  async next(): Promise<T | undefined> {
    for (;;) {
      await this.fill();
      let newest: FeedState<T> | undefined;
      for (const state of this.feeds) {
        const head = state.buffered[0];
        if (head && (!newest?.buffered[0] || newerFirst(head, newest.buffered[0]) < 0)) newest = state;
      }
      const event = newest?.buffered.shift();
      if (!event) return undefined;
      if (this.given.has(event.id)) continue;
      this.given.add(event.id);
      return event;
    }
  }
}

export interface EventFilter {
  /** Event types to keep; empty keeps every type. */
  readonly types: readonly string[];
  /** ISO times: keep events at or after `since`, and before `until`. */
  readonly since?: string;
  readonly until?: string;
}

export function matchesEventFilter(event: FeedEvent, filter: EventFilter): boolean {
  if (filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.since !== undefined && event.createdAt < filter.since) return false;
  return filter.until === undefined || event.createdAt < filter.until;
}

/**
 * Up to `count` more events of `stream` that match `filter` (all of them, without `count`). As the stream
 * is newest first, the first event older than `since` ends it: `ended` then says that nothing more matches.
 */
export async function collectEvents<T extends FeedEvent>(
  stream: { next(): Promise<T | undefined> },
  filter: EventFilter,
  count = Number.POSITIVE_INFINITY,
): Promise<{ events: T[]; ended: boolean }> {
  const events: T[] = [];
  while (events.length < count) {
    const event = await stream.next();
    if (!event || (filter.since !== undefined && event.createdAt < filter.since)) return { events, ended: true };
    if (matchesEventFilter(event, filter)) events.push(event);
  }
  return { events, ended: false };
}
