import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * IP address logic, on ipaddr.js: parsing, the network an address belongs to, and whether it is
 * reachable on the public internet. Shared by the per-source brakes (trials, registrations) and by
 * what must refuse to connect to internal addresses (webhook deliveries, lib/webhooks/targets.ts).
 */

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The address `text` names, or undefined when it is none. Only the notations an address is written
 * in by a socket or a resolver (dotted quad, RFC 4291 text) count: ipaddr.js alone would also read
 * `127.1` or `0x7f.0.0.1`, which Node's `isIP` refuses. An IPv4-mapped IPv6 address is kept as it is.
 */
function parse(text: string): Parsed | undefined {
  return isIP(text) === 0 ? undefined : ipaddr.parse(text);
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as dual-stack sockets report it) stands for. */
function unmapped(address: Parsed): Parsed {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/** The address in one canonical text: dotted quad, or RFC 5952 for IPv6 (`2001:db8::1`). */
function canonical(address: Parsed): string {
  return address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

export interface ClientAddress {
  /** The address in canonical text; an IPv4-mapped one as IPv4. */
  readonly address: string;
  /** Its network in CIDR notation: the /24 of an IPv4 address, the /56 of an IPv6 one (a typical customer's allocation). */
  readonly network: string;
  readonly loopback: boolean;
}

export const ipv4NetworkPrefix = 24;
export const ipv6NetworkPrefix = 56;

/** Where a request comes from, by the address API Gateway (or the local server) reports; undefined when it names none. */
export function clientAddressOf(sourceIp: string | undefined): ClientAddress | undefined {
  const parsed = sourceIp === undefined ? undefined : parse(sourceIp);
  if (!parsed) return undefined;
  const address = unmapped(parsed);
  const prefix = address.kind() === 'ipv4' ? ipv4NetworkPrefix : ipv6NetworkPrefix;
  const network = address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return { address: canonical(address), network: `${canonical(network)}/${prefix}`, loopback: address.range() === 'loopback' };
}

/** The only IPv6 addresses IANA allocates for global unicast (RFC 4291 §2.4); ipaddr.js calls everything else outside its special ranges unicast too. */
const globalUnicastIPv6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether a connection to `text` would leave for the public internet: false for every address that
 * is not globally reachable or that stands for another one: loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7 with AWS's fd00:ec2::254), link-local (169.254/16 with the instance metadata
 * 169.254.169.254, fe80::/10), shared 100.64/10, benchmarking 198.18/15, reserved 240/4,
 * documentation, broadcast, multicast, unspecified, IPv4-mapped and translated (::ffff:0:0/96,
 * 64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo, and any IPv6 outside 2000::/3. Text that is
 * not an address is false as well.
 */
export function isGloballyReachable(text: string): boolean {
  const address = parse(text);
  if (!address || address.range() !== 'unicast') return false;
  return address.kind() === 'ipv4' || address.match(globalUnicastIPv6);
}

/** Whether `text` is a loopback address (127/8, ::1): what `npm start` lets a developer receive webhooks on. */
export function isLoopback(text: string): boolean {
  return parse(text)?.range() === 'loopback';
}

/** The range ipaddr.js names for an address (`private`, `linkLocal`, `ipv4Mapped`, …), for error messages. */
export function rangeOf(text: string): string {
  return parse(text)?.range() ?? 'not an address';
}
