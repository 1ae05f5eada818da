import { describe, expect, it } from 'vitest';
import { clientAddressOf, isGloballyReachable, isLoopback, rangeOf } from '#lib/net/addresses.js';

describe('clientAddressOf', () => {
  it.each([
    ['198.51.100.7', { address: '198.51.100.7', network: '198.51.100.0/24', loopback: false }],
    ['::ffff:192.0.2.9', { address: '192.0.2.9', network: '192.0.2.0/24', loopback: false }],
    ['2001:0DB8:0000:12ab:0000:0000:0000:0001', { address: '2001:db8:0:12ab::1', network: '2001:db8:0:1200::/56', loopback: false }],
    ['2001:db8:0:12ff:ffff::2', { address: '2001:db8:0:12ff:ffff::2', network: '2001:db8:0:1200::/56', loopback: false }],
    ['127.0.0.1', { address: '127.0.0.1', network: '127.0.0.0/24', loopback: true }],
    ['::1', { address: '::1', network: '::/56', loopback: true }],
    ['::ffff:127.0.0.1', { address: '127.0.0.1', network: '127.0.0.0/24', loopback: true }],
  ])('reads %s as its canonical address and network', (sourceIp, expected) => {
    expect(clientAddressOf(sourceIp)).toEqual(expected);
  });

  it('tells apart the /56 networks next to each other', () => {
    expect(clientAddressOf('2001:db8:0:12ab::1')?.network).not.toBe(clientAddressOf('2001:db8:0:13ab::1')?.network);
  });

  it.each([undefined, '', 'localhost', '127.1', '0x7f.0.0.1', '1.2.3.4.5', '2001:db8::g', '198.51.100.7/24'])('names no address for %s', (sourceIp) => {
    expect(clientAddressOf(sourceIp)).toBeUndefined();
  });
});

describe('isGloballyReachable', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback, anywhere in 127/8', '127.255.0.9'],
    ['IPv6 loopback', '::1'],
    ['private 10/8', '10.1.2.3'],
    ['private 172.16/12', '172.31.255.254'],
    ['private 192.168/16', '192.168.0.1'],
    ['link-local', '169.254.10.10'],
    ['the instance metadata service', '169.254.169.254'],
    ['shared address space 100.64/10', '100.100.100.200'],
    ['benchmarking 198.18/15', '198.19.0.1'],
    ['reserved 240/4', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['IPv4 multicast', '224.0.0.251'],
    ['unspecified', '0.0.0.0'],
    ['this network 0/8', '0.1.2.3'],
    ['documentation', '192.0.2.10'],
    ['IPv6 unspecified', '::'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv6 unique local', 'fd12:3456::1'],
    ['the instance metadata service over IPv6', 'fd00:ec2::254'],
    ['IPv6 multicast', 'ff02::1'],
    ['IPv4-mapped', '::ffff:127.0.0.1'],
    ['IPv4-mapped, of a public address', '::ffff:8.8.8.8'],
    ['NAT64 64:ff9b::/96', '64:ff9b::a9fe:a9fe'],
    ['local-use NAT64 64:ff9b:1::/48', '64:ff9b:1::1'],
    ['6to4 2002::/16', '2002:a9fe:a9fe::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['IPv6 documentation', '2001:db8::1'],
    ['IPv6 outside 2000::/3', '4000::1'],
    ['not an address', 'example.com'],
    ['an abbreviated IPv4 form resolvers read as loopback', '127.1'],
  ])('refuses %s (%s)', (_, address) => {
    expect(isGloballyReachable(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '52.94.236.248', '2a00:1450:4001:82a::200e', '2606:4700:4700::1111'])('accepts the public address %s', (address) => {
    expect(isGloballyReachable(address)).toBe(true);
  });
});

describe('isLoopback and rangeOf', () => {
  it.each([['127.0.0.1', true], ['127.9.9.9', true], ['::1', true], ['::ffff:127.0.0.1', false], ['10.0.0.1', false], ['localhost', false]])('%s is loopback: %s', (address, loopback) => {
    expect(isLoopback(address)).toBe(loopback);
  });

  it.each([['10.0.0.1', 'private'], ['169.254.169.254', 'linkLocal'], ['::ffff:8.8.8.8', 'ipv4Mapped'], ['8.8.8.8', 'unicast'], ['example.com', 'not an address']])('names the range of %s: %s', (address, range) => {
    expect(rangeOf(address)).toBe(range);
  });
});
