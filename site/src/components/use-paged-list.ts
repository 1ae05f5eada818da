import { useCallback, useState } from 'react';
import type { Page } from '../lists/pages';
import { useLoad } from './use-load';
import type { Loaded } from './use-load';

export interface PagedList<T> extends Loaded<Page<T>> {
  /** The cursors of the pages before this one: none on the first page. */
  readonly cursors: readonly string[];
  showPage(cursors: readonly string[]): void;
}

/**
 * One page of a list the API pages with cursors: `loadPage(cursor)` for the page on screen. Back to the
 * first page whenever `deps` change (another customer, another account), as a new list starts there.
 */
export function usePagedList<T>(loadPage: (cursor: string | undefined) => Promise<Page<T>>, deps: readonly unknown[]): PagedList<T> {
  const listKey = JSON.stringify(deps);
  const [state, setState] = useState<{ listKey: string; cursors: readonly string[] }>({ listKey, cursors: [] });
  const cursors = state.listKey === listKey ? state.cursors : [];
  const cursor = cursors.at(-1);
  const loaded = useLoad(() => loadPage(cursor), [listKey, cursor]);
  const showPage = useCallback((next: readonly string[]) => setState({ listKey, cursors: next }), [listKey]);
  return { ...loaded, cursors, showPage };
}
