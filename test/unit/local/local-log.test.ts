import { describe, expect, it } from 'vitest';
import { confirmationCodeLines, handlerLogLevel, localLogLevel, requestLine, showsRequests } from '#dev/local-log.js';

describe('local log (npm start)', () => {
  it.each([
    [undefined, 'warn', 'WARN', false],
    ['', 'warn', 'WARN', false],
    ['info', 'info', 'WARN', true],
    ['DEBUG', 'debug', 'DEBUG', true],
    ['error', 'error', 'ERROR', false],
  ] as const)('reads LOG_LEVEL=%s as %s: handler lines at %s, request lines %s', (value, level, handlers, requests) => {
    expect(localLogLevel(value)).toBe(level);
    expect(handlerLogLevel(localLogLevel(value))).toBe(handlers);
    expect(showsRequests(localLogLevel(value))).toBe(requests);
  });

  it('refuses a LOG_LEVEL it does not know, naming the ones it does', () => {
    expect(() => localLogLevel('verbose')).toThrow('LOG_LEVEL must be one of error, warn, info, debug, not verbose');
  });

  it('writes a request as one short line, without its query', () => {
    expect(requestLine({ at: new Date('2026-03-01T14:05:12.345Z'), method: 'POST', path: '/v1/licenses', status: 201, ms: 12.4 })).toBe('14:05:12 POST /v1/licenses 201 12 ms');
  });

  it('sets a confirmation code apart, bold only on a terminal', () => {
    expect(confirmationCodeLines('it@acme.example', '123456', false)).toBe('\n>>> confirmation code for it@acme.example: 123456\n');
    expect(confirmationCodeLines('it@acme.example', '123456', true)).toBe('\n\u001b[1m>>> confirmation code for it@acme.example: 123456\u001b[0m\n');
  });
});
