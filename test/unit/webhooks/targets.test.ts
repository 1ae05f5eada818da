import { describe, expect, it } from 'vitest';
import { checkTarget } from '#lib/webhooks/targets.js';
import type { HostResolver, TargetPolicy } from '#lib/webhooks/targets.js';

// The URL rules of API.md §9, with a resolver the test injects: no test resolves a real name.

const resolverOf = (answers: Record<string, string[]>): HostResolver => async (hostname) => {
  const addresses = answers[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const strict = (answers: Record<string, string[]> = {}): TargetPolicy => ({ allowLocal: false, resolve: resolverOf(answers) });
const local = (answers: Record<string, string[]> = {}): TargetPolicy => ({ allowLocal: true, resolve: resolverOf(answers) });

describe('checkTarget', () => {
  it.each([
    ['http://hooks.example.com/in', 'must be an https:// URL'],
    ['ftp://hooks.example.com/in', 'must be an https:// URL'],
    ['https://user:secret@hooks.example.com/in', 'must not carry a user or password'],
    ['https://hooks.example.com:8080/in', 'the port must be 443 or 8443'],
    ['hooks.example.com/in', 'must be an absolute URL'],
    ['https://127.0.0.1/in', '127.0.0.1 is not a globally reachable address (loopback)'],
    ['https://[::1]/in', '::1 is not a globally reachable address (loopback)'],
    ['https://[::ffff:169.254.169.254]/in', 'ipv4Mapped'],
    ['https://0x7f000001/in', '127.0.0.1 is not a globally reachable address (loopback)'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
  ])('refuses %s by itself', async (url, reason) => {
    const check = await checkTarget(url, strict());
    expect(check.kind).toBe('refused');
    expect(check.kind === 'refused' && check.reason).toContain(reason);
  });

  it('refuses a host when any one of its addresses is not globally reachable', async () => {
    const check = await checkTarget('https://mixed.test/in', strict({ 'mixed.test': ['8.8.8.8', '10.0.0.1'] }));
    expect(check).toEqual({ kind: 'refused', reason: '10.0.0.1 is not a globally reachable address (private)' });
  });

  it.each([['metadata.test', 'fd00:ec2::254'], ['nat64.test', '64:ff9b::a9fe:a9fe'], ['sixtofour.test', '2002:a9fe:a9fe::1']])('refuses %s resolving to %s', async (host, address) => {
    expect((await checkTarget(`https://${host}/in`, strict({ [host]: [address] }))).kind).toBe('refused');
  });

  it('takes a host resolving to public addresses on 443 or 8443, and answers the address to connect to', async () => {
    const policy = strict({ 'hooks.test': ['93.184.216.34', '2606:2800:220:1::'] });
    for (const url of ['https://hooks.test/in', 'https://hooks.test:8443/in']) {
      expect(await checkTarget(url, policy)).toMatchObject({ kind: 'allowed', address: { address: '93.184.216.34', family: 4 } });
    }
  });

  it('accepts a host that does not resolve yet, saying so', async () => {
    expect(await checkTarget('https://later.test/in', strict())).toMatchObject({ kind: 'unresolved', reason: 'later.test does not resolve (ENOTFOUND)' });
  });

  it('takes http:// to any port and loopback addresses on any port under npm start, and still refuses private addresses', async () => {
    expect((await checkTarget('http://127.0.0.1:3999/hooks', local())).kind).toBe('allowed');
    expect((await checkTarget('http://localhost.test:3999/hooks', local({ 'localhost.test': ['::1'] }))).kind).toBe('allowed');
    expect((await checkTarget('https://127.0.0.1:3999/hooks', local())).kind).toBe('allowed');
    expect((await checkTarget('https://localhost.test:3999/hooks', local({ 'localhost.test': ['::1', '127.0.0.1'] }))).kind).toBe('allowed');
    expect((await checkTarget('http://public.test:8080/hooks', local({ 'public.test': ['8.8.8.8'] }))).kind).toBe('allowed');
    expect((await checkTarget('http://later.test:8080/hooks', local())).kind).toBe('unresolved');
    expect((await checkTarget('http://10.0.0.8/hooks', local())).kind).toBe('refused');
    expect((await checkTarget('http://internal.test:8080/hooks', local({ 'internal.test': ['10.0.0.8'] }))).kind).toBe('refused');
  });

  const localPortRefusal = 'the port must be 443 or 8443 (another only for http:// or a loopback address)';

  it.each([
    ['a public address', 'https://93.184.216.34:8080/hooks', {}],
    ['a host resolving to a public address', 'https://example.test:8080/hooks', { 'example.test': ['8.8.8.8'] }],
    ['a host resolving to a loopback and a public address', 'https://mixed.test:9999/hooks', { 'mixed.test': ['127.0.0.1', '8.8.8.8'] }],
    ['a host that does not resolve (no address shows it is loopback)', 'https://example.com:8080/hooks', {}],
  ])('keeps https:// to %s on 443 or 8443 under npm start', async (_, url, answers: Record<string, string[]>) => {
    expect(await checkTarget(url, local(answers))).toEqual({ kind: 'refused', reason: localPortRefusal });
  });

  it('takes https:// on 8443 to a host that does not resolve yet under npm start, as elsewhere', async () => {
    expect((await checkTarget('https://later.test:8443/hooks', local())).kind).toBe('unresolved');
  });
});
