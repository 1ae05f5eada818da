/**
 * What `npm start` prints, for a person reading a terminal: its settings once, every confirmation code the
 * moment the directory sends it, standing out, and problems. `LOG_LEVEL` shows more: `info` one line per
 * request, `debug` also the handlers' own JSON log lines (those the functions write to CloudWatch on AWS).
 */

export const localLogLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LocalLogLevel = (typeof localLogLevels)[number];

/** `LOG_LEVEL`, any case; `warn` when unset. */
export function localLogLevel(value: string | undefined): LocalLogLevel {
  if (value === undefined || value === '') return 'warn';
  const level = localLogLevels.find((known) => known === value.toLowerCase());
  if (!level) throw new TypeError(`LOG_LEVEL must be one of ${localLogLevels.join(', ')}, not ${value}`);
  return level;
}

/** The handlers' Powertools logger level for a local level: their JSON lines only with `debug`. */
export function handlerLogLevel(level: LocalLogLevel): 'DEBUG' | 'WARN' | 'ERROR' {
  return level === 'debug' ? 'DEBUG' : level === 'error' ? 'ERROR' : 'WARN';
}

export function showsRequests(level: LocalLogLevel): boolean {
  return level === 'info' || level === 'debug';
}

const clock = (at: Date) => at.toISOString().slice(11, 19);

/** One request, one line: `14:05:12 POST /v1/licenses 201 12 ms` (the path without its query: cursors are long). */
export function requestLine(request: { at: Date; method: string; path: string; status: number; ms: number }): string {
  return `${clock(request.at)} ${request.method} ${request.path} ${request.status} ${Math.round(request.ms)} ms`;
}

/**
 * A code the directory would have e-mailed: a line of its own between blank ones, bold on a terminal, and
 * always containing `confirmation code for <email>: <code>`, which people and tests look for.
 */
export function confirmationCodeLines(email: string, code: string, terminal: boolean): string {
  const line = `>>> confirmation code for ${email}: ${code}`;
  return `\n${terminal ? `\u001b[1m${line}\u001b[0m` : line}\n`;
}
