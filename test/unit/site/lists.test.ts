import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '../../../site/src/lists/csv.js';
import { collectEvents, matchesEventFilter, MergedFeeds, newerFirst } from '../../../site/src/lists/event-feeds.js';
import type { FeedEvent, FeedPage } from '../../../site/src/lists/event-feeds.js';
import { isFiltering, matchesLicenseFilter, pageOfList } from '../../../site/src/lists/license-filter.js';
import { byName, fetchAllPages, maxPages } from '../../../site/src/lists/pages.js';

// The license site's list logic (site/src/lists): pure functions, run here as they are.

/** A paged list as the API answers it: `size` items a page, the cursor the next page's index. */
function pagedList<T>(items: readonly T[], size: number) {
  const asked: (string | undefined)[] = [];
  const fetchPage = async (cursor: string | undefined) => {
    asked.push(cursor);
    const start = cursor === undefined ? 0 : Number(cursor);
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: String(end) } : {}) };
  };
  return { fetchPage, asked };
}

describe('fetchAllPages', () => {
  it('reads a list of 250 in pages of 100 to its end: a reseller sees its newest customers too', async () => {
    const customers = Array.from({ length: 250 }, (_, index) => `customer-${index}`);
    const { fetchPage, asked } = pagedList(customers, 100);

    expect(await fetchAllPages(fetchPage)).toEqual(customers);
    expect(asked).toEqual([undefined, '100', '200']);
  });

  it('reads one page when the list fits in it, and an empty list as empty', async () => {
    expect(await fetchAllPages(pagedList(['a', 'b'], 100).fetchPage)).toEqual(['a', 'b']);
    expect(await fetchAllPages(pagedList([], 100).fetchPage)).toEqual([]);
  });

  it('stops with an error when a page answers a cursor it answered before, instead of looping', async () => {
    await expect(fetchAllPages(async () => ({ items: [1], nextCursor: 'same' }))).rejects.toThrow('already answered');
  });

  it(`stops with an error past ${maxPages} pages`, async () => {
    let page = 0;
    await expect(fetchAllPages(async () => ({ items: [page], nextCursor: String((page += 1)) }))).rejects.toThrow(`longer than ${maxPages} pages`);
  });
});

describe('byName', () => {
  it('orders as people read: case and accents folded, numbers by value', () => {
    const names = ['zeta', 'Customer 10', 'Émile', 'customer 9', 'alpha'].map((name) => ({ name }));
    expect(byName(names).map((item) => item.name)).toEqual(['alpha', 'customer 9', 'Customer 10', 'Émile', 'zeta']);
  });
});

describe('the licenses filter', () => {
  const licenses = [
    { id: '1', status: 'active', productId: 'vault' },
    { id: '2', status: 'suspended', productId: 'vault' },
    { id: '3', status: 'active', productId: 'authserver' },
  ];

  it.each([
    [{ status: '', productId: '' }, ['1', '2', '3'], false],
    [{ status: 'active', productId: '' }, ['1', '3'], true],
    [{ status: '', productId: 'vault' }, ['1', '2'], true],
    [{ status: 'active', productId: 'vault' }, ['1'], true],
    [{ status: 'revoked', productId: '' }, [], true],
  ])('keeps %o: %o', (filter, kept, filtering) => {
    expect(licenses.filter((license) => matchesLicenseFilter(license, filter)).map((license) => license.id)).toEqual(kept);
    expect(isFiltering(filter)).toBe(filtering);
  });

  it('pages through the matches of a whole list as the API pages: a cursor on, none on the last page', () => {
    const matches = Array.from({ length: 120 }, (_, index) => index);
    const first = pageOfList(matches, undefined, 50);
    const second = pageOfList(matches, first.nextCursor, 50);
    const third = pageOfList(matches, second.nextCursor, 50);

    expect([first.items.length, second.items.length, third.items.length]).toEqual([50, 50, 20]);
    expect([first.nextCursor, second.nextCursor, third.nextCursor]).toEqual(['50', '100', undefined]);
    expect(third.items.at(-1)).toBe(119);
    expect(pageOfList([], undefined, 50)).toEqual({ items: [] });
    expect(() => pageOfList(matches, 'not-a-page', 50)).toThrow(RangeError);
  });
});

/** An event at minute `minute` of a day (newest first in each feed means higher minutes first). */
const at = (minute: number, id: string, type = 'license.issued'): FeedEvent => ({ id, type, createdAt: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString() });

/** Feeds as the API pages them, newest first, `size` a page; records how often each was read. */
function feeds(byFeed: Record<string, FeedEvent[]>, size: number) {
  const reads: string[] = [];
  const fetchFeed = async (feed: string, cursor: string | undefined): Promise<FeedPage<FeedEvent>> => {
    reads.push(`${feed}@${cursor ?? 0}`);
    const items = byFeed[feed] ?? [];
    const start = cursor === undefined ? 0 : Number(cursor);
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: String(end) } : {}) };
  };
  return { fetchFeed, reads };
}

async function drain(stream: MergedFeeds<FeedEvent>): Promise<string[]> {
  const ids: string[] = [];
  for (let event = await stream.next(); event; event = await stream.next()) ids.push(event.id);
  return ids;
}

describe('MergedFeeds: every customer of a reseller as one list', () => {
  it('merges newest-first feeds into one newest-first list, reading each feed a page at a time', async () => {
    const { fetchFeed, reads } = feeds(
      {
        a: [at(50, 'a5'), at(30, 'a3'), at(10, 'a1')],
        b: [at(40, 'b4'), at(20, 'b2')],
        c: [],
      },
      2,
    );
    const stream = new MergedFeeds(['a', 'b', 'c'], fetchFeed);

    expect(await drain(stream)).toEqual(['a5', 'b4', 'a3', 'b2', 'a1']);
    expect(stream.done).toBe(true);
    expect(reads.sort()).toEqual(['a@0', 'a@2', 'b@0', 'c@0']);
  });

  it('gives an event two feeds hold once, and orders events of the same instant by id', async () => {
    const shared = at(30, 'evt-2');
    const { fetchFeed } = feeds({ a: [shared, at(30, 'evt-1')], b: [at(30, 'evt-3'), shared] }, 10);
    expect(await drain(new MergedFeeds(['a', 'b'], fetchFeed))).toEqual(['evt-3', 'evt-2', 'evt-1']);
    expect(newerFirst(at(1, 'x'), at(1, 'x'))).toBe(0);
  });

  it('reads nothing more than a screenful needs', async () => {
    const long = Array.from({ length: 500 }, (_, index) => at(1000 - index, `e${index}`));
    const { fetchFeed, reads } = feeds({ a: long }, 100);
    const { events, ended } = await collectEvents(new MergedFeeds(['a'], fetchFeed), { types: [] }, 50);
    expect(events).toHaveLength(50);
    expect(ended).toBe(false);
    expect(reads).toEqual(['a@0']);
  });
});

describe('the events filter', () => {
  const since = new Date(Date.UTC(2026, 2, 1, 0, 20)).toISOString();
  const until = new Date(Date.UTC(2026, 2, 1, 0, 45)).toISOString();

  it.each([
    [{ types: [] }, true],
    [{ types: ['license.issued'] }, true],
    [{ types: ['activation.created'] }, false],
    [{ types: [], since }, true],
    [{ types: [], until: since }, false],
  ])('judges an event of minute 30 against %o: %s', (filter, kept) => {
    expect(matchesEventFilter(at(30, 'e'), filter)).toBe(kept);
  });

  it('collects the events of a type within a time window, and stops at the first event older than the window', async () => {
    const { fetchFeed, reads } = feeds(
      {
        a: [at(50, 'a50', 'activation.created'), at(40, 'a40', 'license.issued'), at(30, 'a30', 'activation.created'), at(10, 'a10', 'activation.created')],
        b: [at(35, 'b35', 'activation.created'), at(15, 'b15', 'activation.created'), at(5, 'b5', 'activation.created')],
      },
      1,
    );
    const { events, ended } = await collectEvents(new MergedFeeds(['a', 'b'], fetchFeed), { types: ['activation.created'], since, until });

    expect(events.map((event) => event.id)).toEqual(['b35', 'a30']);
    expect(ended).toBe(true);
    // Nothing older than the first event before `since` is read.
    expect(reads).not.toContain('b@2');
  });
});

describe('CSV export', () => {
  it('quotes what needs quoting, doubles quotes and ends lines with CRLF', () => {
    expect(toCsv([['time', 'details'], ['2026-03-01T00:00:00.000Z', 'reason: "late", again\nand again']])).toBe(
      'time,details\r\n2026-03-01T00:00:00.000Z,"reason: ""late"", again\nand again"\r\n',
    );
  });

  it.each(['=HYPERLINK("x")', '+1', '-1', '@SUM(A1)'])('keeps %s from running as a formula', (value) => {
    expect(csvField(value).replace(/^"/, '').startsWith("'")).toBe(true);
  });
});
