import type { MiddlewareObj } from '@middy/core';
import { problem } from '@license-activation/contract/problem';
import { headerValue } from './http-event.js';
import type { HttpEvent } from './http-event.js';

export const maxBodyBytes = 64 * 1024;

/** The raw body as a Buffer, whether API Gateway passed it as text or base64. */
function rawBody(event: HttpEvent): Buffer | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * Whether a `Content-Type` names JSON: the media type `application/json` in any case, with any
 * parameters (`charset=utf-8`). What a browser sends cross-site without asking first (`text/plain`,
 * forms, multipart) is not, so no other site's page can make a visitor's browser post to the API.
 */
function namesJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * Parses a JSON body into `event.jsonBody`: a body not sent as `application/json` is 415
 * UNSUPPORTED_MEDIA_TYPE, over 64 KiB is 413 PAYLOAD_TOO_LARGE, text that is not JSON is 400
 * MALFORMED_JSON. No body at all leaves `jsonBody` undefined for the schema to judge.
 */
export function jsonBodyParser(options: { maxBytes?: number } = {}): MiddlewareObj<HttpEvent> {
  const maxBytes = options.maxBytes ?? maxBodyBytes;
  return {
    name: 'jsonBodyParser',
    before: function jsonBodyParserBefore({ event }) {
      const raw = rawBody(event);
      if (!raw) return;
      if (!namesJson(headerValue(event, 'content-type'))) throw problem('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
      if (raw.byteLength > maxBytes) throw problem('PAYLOAD_TOO_LARGE', `the body is larger than ${maxBytes} bytes`);
      try {
        event.jsonBody = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        throw problem('MALFORMED_JSON', 'the body is not valid JSON');
      }
    },
  };
}
