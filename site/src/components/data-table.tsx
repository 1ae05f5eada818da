import type { ReactNode } from 'react';
import type { PagedList } from './use-paged-list';
import { Empty, ErrorMessage, Loading } from './ui';

export interface Column<T> {
  /** The column's heading, and each cell's label when a phone shows rows as cards. */
  readonly header: string;
  readonly cell: (item: T) => ReactNode;
  /** A heading for screen readers only (a column of buttons or links). */
  readonly quietHeader?: boolean;
}

/**
 * A table of `rows`; on a phone each row becomes a card of labelled cells (styles.css, `table.cards`),
 * so that no column is cut off and nothing scrolls sideways.
 */
export function DataTable<T>({ caption, columns, rows, rowKey }: { caption: string; columns: readonly Column<T>[]; rows: readonly T[]; rowKey: (item: T) => string }) {
  return (
    <div className="table-scroll">
      <table className="cards">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.quietHeader ? <span className="visually-hidden">{column.header}</span> : column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.header} {...(column.quietHeader ? {} : { 'data-label': column.header })}>
                  {/* One box for the value: on a phone it sits beside its label (styles.css). */}
                  <div>{column.cell(row)}</div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Cursor paging: the answer's `nextCursor` leads on, the cursors seen so far lead back. */
export function Pager({ cursors, nextCursor, onChange }: { cursors: readonly string[]; nextCursor: string | undefined; onChange: (cursors: readonly string[]) => void }) {
  if (cursors.length === 0 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={cursors.length === 0} onClick={() => onChange(cursors.slice(0, -1))}>
        Previous page
      </button>
      <span className="muted">Page {cursors.length + 1}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onChange([...cursors, nextCursor])}>
        Next page
      </button>
    </nav>
  );
}

/** A list the API pages, as a table: loading, its error, an empty list in words, and the pager. */
export function PagedTable<T>({
  list,
  what,
  empty,
  columns,
  rowKey,
}: {
  list: PagedList<T>;
  /** What the rows are, in words ("customers"): the loading message and the table's caption. */
  what: string;
  empty: ReactNode;
  columns: readonly Column<T>[];
  rowKey: (item: T) => string;
}) {
  return (
    <>
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? (
        <Loading what={what} />
      ) : !list.data?.items.length ? (
        <Empty>{empty}</Empty>
      ) : (
        <DataTable caption={what[0]?.toUpperCase() + what.slice(1)} columns={columns} rows={list.data.items} rowKey={rowKey} />
      )}
      <Pager cursors={list.cursors} nextCursor={list.data?.nextCursor} onChange={list.showPage} />
    </>
  );
}
