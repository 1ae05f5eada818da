/**
 * The API's lists come in pages (`{items, nextCursor?}`, at most 100 items each). These helpers read a
 * list to its end, for what a page must see whole: the customers a select offers, the licenses a
 * filter looks through. They import nothing, so the unit tests run them as they are.
 */

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** The most pages one read goes through: 1,000 pages of 100 is far past any account's list. */
export const maxPages = 1_000;

/**
 * Every item of a paged list, in the order the pages give them: `fetchPage` is asked for the first page
 * (no cursor), then for each `nextCursor` until an answer has none. A cursor that comes back twice
 * would loop for ever: it ends the read with an error instead, as does a list longer than `maxPages`.
 */
export async function fetchAllPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages; pages += 1) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === undefined) return items;
    if (seen.has(page.nextCursor)) throw new Error('the list answered a page it had already answered');
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
  throw new Error(`the list is longer than ${maxPages} pages`);
}

/** Items by name, as people look for them (case and accents folded, numbers in order). */
export function byName<T extends { readonly name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true }));
}
