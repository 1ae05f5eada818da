import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkTarget, hostOf } from './targets.js';
import type { ResolvedAddress, TargetPolicy } from './targets.js';

/**
 * One webhook POST, made so that nothing but the checked address is ever connected to: the URL and its
 * host's addresses are checked first (./targets.ts), then the connection goes to that address through a
 * `lookup` that answers it and nothing else (no second lookup a rebinding DNS could answer differently).
 * TLS certificates are verified against the host name, redirects are not followed, and the whole attempt
 * ends after 15 seconds. Every way it can fail is told in words for the delivery log.
 */

/** A 2xx within this long succeeds; anything slower fails the attempt. */
export const attemptTimeoutMs = 15_000;

/** The longest `Retry-After` honoured: it replaces the next step of the schedule. */
const maxRetryAfterSeconds = 24 * 60 * 60;

export interface WebhookPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      /** Why, for the delivery log. */
      readonly error: string;
      readonly status?: number;
      /** The receiver's `Retry-After`, when it gave one of at most 24 hours. */
      readonly retryAfterSeconds?: number;
    };

export type WebhookSender = (post: WebhookPost, policy: TargetPolicy, timeoutMs?: number) => Promise<SendOutcome>;

/** A lookup that answers the checked address only, whatever name it is asked for. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

/** `Retry-After` in seconds (RFC 9110: delay-seconds or an HTTP-date), when it is within 24 hours. */
export function retryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.ceil((Date.parse(trimmed) - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > maxRetryAfterSeconds) return undefined;
  return seconds;
}

/** A transport failure in words: what the receiver did, never anything sent to it. */
export function describeFailure(error: unknown, timedOutAfterMs?: number): string {
  if (timedOutAfterMs !== undefined) return `no answer within ${timedOutAfterMs / 1000} seconds`;
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset by the receiver';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (code?.startsWith('HPE_')) return `not a valid HTTP answer (${code})`;
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || code?.includes('CERT') || code === 'EPROTO') return `TLS failed: ${message} (${code})`;
  return code ? `${message} (${code})` : message || 'the connection failed';
}

/** Sends one webhook POST to the URL's checked address, within the timeout, and says how it went. */
export const sendWebhook: WebhookSender = async (post, policy, timeoutMs = attemptTimeoutMs) => {
  const target = await checkTarget(post.url, policy);
  if (target.kind === 'refused') return { ok: false, error: `not sent: ${target.reason}` };
  if (target.kind === 'unresolved') return { ok: false, error: `not sent: ${target.reason}` };
  const { url, address } = target;
  const timeout = AbortSignal.timeout(timeoutMs);
  const options: RequestOptions = {
    method: 'POST',
    protocol: url.protocol,
    host: hostOf(url),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
    lookup: pinnedLookup(address),
    // One connection per attempt: a kept-alive socket could outlive the check of the address it went to.
    agent: false,
    signal: timeout,
  };
  const startedAt = Date.now();
  return new Promise<SendOutcome>((resolve) => {
    let request: ClientRequest | undefined;
    const answered = (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      // The status is the answer; the body is not read, and the connection is not kept.
      response.destroy();
      if (status >= 200 && status < 300) return resolve({ ok: true, status });
      const retryAfter = retryAfterSeconds(headerText(response.headers['retry-after']), new Date(startedAt));
      const redirect = status >= 300 && status < 400 ? ': redirects are not followed' : '';
      resolve({ ok: false, status, error: `answered ${status}${redirect}`, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}) });
    };
    const failed = (error: unknown) => {
      // The connection is not kept whatever state it is in (a receiver that wrote garbage may hold it open).
      request?.destroy();
      resolve({ ok: false, error: describeFailure(error, timeout.aborted ? timeoutMs : undefined) });
    };
    try {
      request = url.protocol === 'https:' ? httpsRequest({ ...options, servername: isIpLiteral(url) ? undefined : hostOf(url) }, answered) : httpRequest(options, answered);
    } catch (error) {
      return failed(error);
    }
    request.on('error', failed);
    request.end(post.body);
  });
};

function isIpLiteral(url: URL): boolean {
  return url.hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
