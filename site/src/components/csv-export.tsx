import { useState } from 'react';
import { toCsv } from '../lists/csv';
import { ErrorMessage } from './ui';
import { useAction } from './use-load';

/** A column of the file: its header, and the cell of each row. */
export type CsvColumn<T> = readonly [header: string, cell: (row: T) => string | number | boolean | undefined];

/** Saves `text` as a CSV file the browser downloads. */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads the whole list (every page, not the one on screen) as a CSV file. */
export function CsvExport<T>({ filename, columns, load }: { filename: string; columns: readonly CsvColumn<T>[]; load: () => Promise<T[]> }) {
  const { pending, error, run } = useAction();
  const [exported, setExported] = useState<number>();
  async function exportAll() {
    setExported(undefined);
    const rows = await run(load);
    if (!rows) return;
    const text = (value: string | number | boolean | undefined) => (value === undefined ? '' : String(value));
    downloadCsv(filename, toCsv([columns.map(([header]) => header), ...rows.map((row) => columns.map(([, cell]) => text(cell(row))))]));
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
