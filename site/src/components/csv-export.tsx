import { useState } from 'react';
import { ErrorMessage } from './ui';
import { useAction } from './use-load';

/** A column of the file: its header, and the cell of each row. */
export type CsvColumn<T> = readonly [header: string, cell: (row: T) => string | number | boolean | undefined];

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break; a cell a spreadsheet
 * would run as a formula (`=`, `+`, `-`, `@`, tab, return) is kept as text with a leading quote.
 */
function csvCell(value: string | number | boolean | undefined): string {
  const text = value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  return [columns.map(([header]) => csvCell(header)), ...rows.map((row) => columns.map(([, cell]) => csvCell(cell(row))))].map((line) => line.join(',')).join('\r\n') + '\r\n';
}

/** Every page of a list, following `nextCursor` to the end. */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    rows.push(...answer.items);
    cursor = answer.nextCursor;
  } while (cursor);
  return rows;
}

/** Downloads the whole list (every page, not the one on screen) as a CSV file. */
export function CsvExport<T>({ filename, columns, load }: { filename: string; columns: readonly CsvColumn<T>[]; load: () => Promise<T[]> }) {
  const { pending, error, run } = useAction();
  const [exported, setExported] = useState<number>();
  async function exportAll() {
    setExported(undefined);
    const rows = await run(load);
    if (!rows) return;
    const url = URL.createObjectURL(new Blob([toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
    setExported(rows.length);
  }
  return (
    <div className="actions">
      <button type="button" disabled={pending} onClick={() => void exportAll()}>
        {pending ? 'Exporting…' : 'Export CSV'}
      </button>
      <span role="status" className="muted">
        {exported !== undefined ? `Exported ${exported} ${exported === 1 ? 'row' : 'rows'} to ${filename}.` : ''}
      </span>
      <ErrorMessage error={error} />
    </div>
  );
}
