/**
 * The licenses page's filters: status and product, over every license of the list (or of one
 * customer), not only the page on screen. The API filters by customer only, so a filtered view reads
 * the list to its end and pages through the matches itself. Imports nothing: unit-tested as it is.
 */

export interface LicenseFilter {
  /** A license status, or empty for any. */
  readonly status: string;
  /** A product id, or empty for any. */
  readonly productId: string;
}

export function isFiltering(filter: LicenseFilter): boolean {
  return filter.status !== '' || filter.productId !== '';
}

export function matchesLicenseFilter(license: { readonly status: string; readonly productId: string }, filter: LicenseFilter): boolean {
  return (filter.status === '' || license.status === filter.status) && (filter.productId === '' || license.productId === filter.productId);
}

/**
 * One page of a list held whole: `cursor` is where the page starts (a previous page's `nextCursor`),
 * absent for the first page; `nextCursor` is absent on the last page, as the API's own pages.
 */
export function pageOfList<T>(items: readonly T[], cursor: string | undefined, size: number): { items: T[]; nextCursor?: string } {
  const start = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`not a page of this list: ${cursor}`);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: String(end) } : {}) };
}
