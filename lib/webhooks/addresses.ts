import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook delivery may connect to, on ipaddr.js's special-purpose ranges rather than
 * hand-written range arithmetic. (Branch issue-25-fixes has the same classification in lib/net/addresses.ts;
 * the two are meant to become one module.)
 */

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** The address `text` names, or undefined: only the notations sockets and resolvers write (Node's `isIP`), not `127.1` or `0x7f.0.0.1`. */
function parse(text: string): Parsed | undefined {
  return isIP(text) === 0 ? undefined : ipaddr.parse(text);
}

/** The only IPv6 addresses IANA allocates for global unicast (RFC 4291 §2.4); ipaddr.js calls everything outside its special ranges unicast. */
const globalUnicastIPv6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether a connection to `text` would leave for the public internet. False for every address the IANA
 * special-purpose registries do not mark globally reachable or that stands for another address: loopback,
 * private (10/8, 172.16/12, 192.168/16, fc00::/7 with AWS's metadata fd00:ec2::254), link-local (169.254/16
 * with the metadata 169.254.169.254, fe80::/10), shared 100.64/10, benchmarking 198.18/15, reserved 240/4,
 * documentation, broadcast, multicast, unspecified, IPv4-mapped and translated (::ffff:0:0/96, 64:ff9b::/96,
 * 64:ff9b:1::/48), 6to4 (2002::/16), Teredo, and any IPv6 outside 2000::/3. Text that is no address is false.
 */
export function isGloballyReachable(text: string): boolean {
  const address = parse(text);
  if (!address || address.range() !== 'unicast') return false;
  return address.kind() === 'ipv4' || address.match(globalUnicastIPv6);
}

/** Whether `text` is a loopback address (127/8, ::1): what `npm start` lets a developer receive on. */
export function isLoopback(text: string): boolean {
  return parse(text)?.range() === 'loopback';
}

/** The range ipaddr.js names for an address (`private`, `linkLocal`, `ipv4Mapped`, …), for error messages. */
export function rangeOf(text: string): string {
  return parse(text)?.range() ?? 'not an address';
}
