import type { z } from 'zod';
import { Problem } from '@license-activation/contract/problem';
import { routeById } from '@license-activation/contract/routes';
import type { RouteId } from '@license-activation/contract/routes';
import type { Clock } from './clock.js';
import { parseJson } from './parse-json.js';
import { createDpopProof } from './dpop-proof.js';
import { LicenseClientError, LicenseNetworkError } from './errors.js';
import type { InstallationKey } from './installation-key.js';

/** One call to the service. */
export interface ApiRequest {
  /** The route, from the contract's route table: it gives the method and the path. */
  readonly route: RouteId;
  /** Values of the path's `{name}` parameters. */
  readonly params?: Readonly<Record<string, string>>;
  /** The query string's parameters. */
  readonly query?: Readonly<Record<string, string>>;
  /** Headers of the route's own (`Idempotency-Key`), besides the credentials. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Signs a DPoP proof for the request with this key. */
  readonly proofKey?: InstallationKey;
  /** An account's API key, sent as a bearer token. */
  readonly apiKey?: string;
}

export interface ApiTransportOptions {
  readonly serverUrl: URL;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The URL of a licensing service, checked: HTTPS, or plain HTTP to this machine only (a local
 * development service), because API keys travel to it.
 *
 * @example
 * ```ts
 * const url = serviceUrl('https://licensing.example.com/prod');
 * ```
 */
export function serviceUrl(text: string): URL {
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) {
    throw new TypeError(`the licensing service must be reached over HTTPS (plain HTTP only on this machine), not ${url.origin}`);
  }
  // A trailing slash makes route paths resolve below a stage prefix such as /prod.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  url.search = '';
  url.hash = '';
  return url;
}

/** `Retry-After` in seconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * Sends requests to the service and turns its answers into parsed values or typed errors: a problem
 * document becomes a {@link LicenseClientError} with its `code`, no answer a {@link LicenseNetworkError}.
 */
export class ApiTransport {
  constructor(private readonly options: ApiTransportOptions) {}

  /** Sends the request and parses a successful answer with `answer` (use `z.undefined()` for 204). */
  async send<Answer extends z.ZodType>(request: ApiRequest, answer: Answer): Promise<z.infer<Answer>> {
    const { method, path: template } = routeById(request.route);
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = request.params?.[name];
      if (value === undefined) throw new TypeError(`${request.route} needs the path parameter ${name}`);
      return encodeURIComponent(value);
    });
    // Relative to the service URL, which may carry a stage prefix such as /prod/.
    const target = new URL(path.slice(1), this.options.serverUrl);
    // A proof names the URL without its query (RFC 9449 §4.2).
    const proofUrl = target.href;
    for (const [name, value] of Object.entries(request.query ?? {})) target.searchParams.set(name, value);
    const url = target.href;
    const call = `${method} ${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.apiKey !== undefined) headers.authorization = `Bearer ${request.apiKey}`;
    if (request.proofKey) headers.dpop = await createDpopProof(request.proofKey, { method, url: proofUrl }, this.options.clock());

    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new LicenseNetworkError(`${method} ${url} got no answer: ${error instanceof Error ? error.message : String(error)}`, error);
    }

    const body = parseJson(text);
    if (!response.ok) throw this.failure(response, body, call);
    const parsed = answer.safeParse(body);
    if (!parsed.success) {
      throw new LicenseClientError('UNEXPECTED_RESPONSE', `${call} answered ${response.status} with a body the contract does not describe`, { status: response.status });
    }
    return parsed.data;
  }

  private failure(response: Response, body: unknown, call: string): LicenseClientError {
    const problem = Problem.safeParse(body);
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'), this.options.clock());
    const requestId = (problem.success ? problem.data.requestId : undefined) ?? response.headers.get('x-request-id') ?? undefined;
    const details = {
      status: response.status,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      ...(requestId === undefined ? {} : { requestId }),
    };
    if (problem.success) return new LicenseClientError(problem.data.code, problem.data.detail, details);
    return new LicenseClientError('UNEXPECTED_RESPONSE', `${call} answered ${response.status} without a problem document`, details);
  }
}
