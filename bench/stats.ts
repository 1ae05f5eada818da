/** A figure measured over several runs: the median run, and the best and worst runs beside it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no values to summarise');
  return values.toSorted((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100): a value that was really measured, never an interpolation. */
export function percentile(values: readonly number[], p: number): number {
  const ordered = sorted(values);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  const ordered = sorted(values);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 === 1 ? (ordered[middle] as number) : ((ordered[middle - 1] as number) + (ordered[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  const ordered = sorted(values);
  return { median: median(ordered), min: ordered[0] as number, max: ordered[ordered.length - 1] as number };
}

/** The Fisher–Yates shuffle: runs in a random order, so that drift on a shared machine hits every subject alike. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
