/**
 * CSV as spreadsheets read it (RFC 4180): fields with a comma, a quote or a line break are quoted, quotes
 * doubled, lines ended by CRLF. A field that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
 * return) gets a leading apostrophe, so that opening the file never runs one (CSV injection). Imports nothing.
 */

const formulaStart = /^[=+\-@\t\r]/;

export function csvField(value: string): string {
  const safe = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
