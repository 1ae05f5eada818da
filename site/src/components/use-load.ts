import { useCallback, useEffect, useState } from 'react';
import { toShownError } from '../api/problem';
import type { ShownError } from '../api/problem';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: ShownError;
  readonly loading: boolean;
  reload(): void;
}

/** Loads what a page shows, again whenever `deps` change; a late answer for old deps is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ShownError; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: toShownError(error), loading: false }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure every render; `deps` say when it means something new.
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, reload };
}

/** A form's submission: pending while it runs, its error shown until the next try. */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ShownError>();
  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await work();
    } catch (caught) {
      setError(toShownError(caught));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { pending, error, run, clearError: () => setError(undefined) };
}
