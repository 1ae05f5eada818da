import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isGloballyReachable, isLoopback, rangeOf } from '../net/addresses.js';

/**
 * Where a webhook may be sent (API.md §9, "URLs"): `https://`, a host name, port 443 or 8443, no user or
 * password, and a host that is not, and does not resolve to, an address the special-purpose registries do
 * not mark globally reachable. Checked at creation and change (400) and again at every attempt, which then
 * connects to the very address checked. Under `npm start` `http://` (to any port, still not to a private
 * address) and loopback addresses on any port are allowed, so that a developer can receive on their machine;
 * an `https://` URL to any other address keeps to 443 and 8443. An AWS stage never allows them.
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to its addresses; tests inject their own, so that no test resolves a real name. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system's resolver, every address it finds (what a connection could be made to). */
export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

export interface TargetPolicy {
  /** `npm start` only: `http://` to any port, and loopback addresses on any port. */
  readonly allowLocal: boolean;
  readonly resolve: HostResolver;
}

/** What a resolver's error means a host that does not resolve (yet): accepted at creation, a failed attempt at delivery. */
const unresolvedCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL', 'ENONAME']);

const allowedPorts = new Set([443, 8443]);

export type TargetCheck =
  | { readonly kind: 'allowed'; readonly url: URL; readonly address: ResolvedAddress }
  | { readonly kind: 'unresolved'; readonly url: URL; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** The host of a URL as a resolver or an address check takes it: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether the URL's port is allowed whatever address its host has: 443 and 8443, and under `npm start` any port of `http://`. */
function portAllowed(url: URL, policy: Pick<TargetPolicy, 'allowLocal'>): boolean {
  return allowedPorts.has(portOf(url)) || (policy.allowLocal && url.protocol === 'http:');
}

function portRefusal(policy: Pick<TargetPolicy, 'allowLocal'>): string {
  return policy.allowLocal ? 'the port must be 443 or 8443 (another only for http:// or a loopback address)' : 'the port must be 443 or 8443';
}

/** The rules a URL breaks by itself, before any lookup; the parsed URL when it breaks none. */
export function parseTargetUrl(text: string, policy: Pick<TargetPolicy, 'allowLocal'>): { url: URL } | { reason: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { reason: 'must be an absolute URL' };
  }
  const schemes = policy.allowLocal ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return { reason: policy.allowLocal ? 'must be an https:// or http:// URL' : 'must be an https:// URL' };
  if (url.username !== '' || url.password !== '') return { reason: 'must not carry a user or password' };
  if (hostOf(url) === '') return { reason: 'must name a host' };
  // Under `npm start` an https:// URL on another port is judged with its address: only a loopback one takes any port.
  if (!policy.allowLocal && !portAllowed(url, policy)) return { reason: portRefusal(policy) };
  return { url };
}

/** Why an address may not be connected to, or undefined when it may. */
function addressRefusal(address: string, url: URL, policy: Pick<TargetPolicy, 'allowLocal'>): string | undefined {
  if (policy.allowLocal && isLoopback(address)) return undefined;
  if (!isGloballyReachable(address)) return `${address} is not a globally reachable address (${rangeOf(address)})`;
  if (!portAllowed(url, policy)) return portRefusal(policy);
  return undefined;
}

/**
 * A host without an address now: a failed attempt, or a URL accepted at creation; refused when its port
 * is allowed only to a loopback address, since no address shows it is one.
 */
function unresolved(url: URL, reason: string, policy: Pick<TargetPolicy, 'allowLocal'>): TargetCheck {
  return portAllowed(url, policy) ? { kind: 'unresolved', url, reason } : { kind: 'refused', reason: portRefusal(policy) };
}

/**
 * Checks a URL and its host's addresses: `allowed` with the address to connect to (the first the resolver
 * gave), `unresolved` when the host has no address now, `refused` when a rule is broken — by the URL, or by
 * any one of the addresses, since a connection could be made to any of them.
 */
export async function checkTarget(text: string, policy: TargetPolicy): Promise<TargetCheck> {
  const parsed = parseTargetUrl(text, policy);
  if ('reason' in parsed) return { kind: 'refused', reason: parsed.reason };
  const { url } = parsed;
  const host = hostOf(url);
  let addresses: readonly ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolve(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && unresolvedCodes.has(code)) return unresolved(url, `${host} does not resolve (${code})`, policy);
      throw error;
    }
  }
  const [first] = addresses;
  if (!first) return unresolved(url, `${host} has no address`, policy);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, url, policy);
    if (refusal) return { kind: 'refused', reason: refusal };
  }
  return { kind: 'allowed', url, address: first };
}
