import type { MiddlewareObj } from '@middy/core';
import { problem } from '@license-activation/contract/problem';
import type { HttpEvent } from './http-event.js';

export const maxBodyBytes = 64 * 1024;

/** The raw body as a Buffer, whether API Gateway passed it as text or base64. */
function rawBody(event: HttpEvent): Buffer | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * Parses a JSON body into `event.jsonBody`: over 64 KiB is 413 PAYLOAD_TOO_LARGE, text that is not
 * JSON is 400 MALFORMED_JSON. No body at all leaves `jsonBody` undefined for the schema to judge.
 */
export function jsonBodyParser(options: { maxBytes?: number } = {}): MiddlewareObj<HttpEvent> {
  const maxBytes = options.maxBytes ?? maxBodyBytes;
  return {
    name: 'jsonBodyParser',
    before: function jsonBodyParserBefore({ event }) {
      const raw = rawBody(event);
      if (!raw) return;
      if (raw.byteLength > maxBytes) throw problem('PAYLOAD_TOO_LARGE', `the body is larger than ${maxBytes} bytes`);
      try {
        event.jsonBody = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        throw problem('MALFORMED_JSON', 'the body is not valid JSON');
      }
    },
  };
}
