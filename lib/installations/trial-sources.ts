import { isIPv4, isIPv6 } from 'node:net';

/**
 * Trial brakes. Fingerprints are self-reported, so a new installation key and a random fingerprint
 * make a new trial; what an attacker cannot mint as cheaply is network addresses. New trials are
 * capped per source address and per network (IPv4 /24, IPv6 /56) per UTC day.
 */
export const trialsPerAddressPerDay = 10;
export const trialsPerNetworkPerDay = 30;

/** The IPv6 address as 8 groups of 4 hex digits, or undefined if it is not one. */
function expandIPv6(address: string): string[] | undefined {
  const [head = '', tail] = address.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':'));
  const groups = tail === undefined ? part(head) : [...part(head), ...Array<string>(8 - part(head).length - part(tail).length).fill('0'), ...part(tail)];
  return groups.length === 8 ? groups.map((group) => group.padStart(4, '0').toLowerCase()) : undefined;
}

export interface TrialSource {
  /** The address itself, normalised. */
  readonly address: string;
  /** Its /24 (IPv4) or /56 (IPv6). */
  readonly network: string;
}

/**
 * Where a trial request comes from, or undefined when there is nothing to brake: no address, or a
 * loopback one (only `npm start` and tests see those; API Gateway always names the client's address).
 */
export function trialSourceOf(sourceIp: string | undefined): TrialSource | undefined {
  if (!sourceIp) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(sourceIp)?.[1];
  const ip = mapped ?? sourceIp;
  if (isIPv4(ip)) {
    if (ip.startsWith('127.')) return undefined;
    return { address: ip, network: `${ip.split('.').slice(0, 3).join('.')}.0/24` };
  }
  const groups = isIPv6(ip) ? expandIPv6(ip) : undefined;
  if (!groups || groups.join(':') === '0000:0000:0000:0000:0000:0000:0000:0001') return undefined;
  // 56 bits: three groups and the first two digits of the fourth.
  return { address: groups.join(':'), network: `${groups.slice(0, 3).join(':')}:${(groups[3] ?? '').slice(0, 2)}00::/56` };
}
