import { describe, expect, it } from 'vitest';
import { compareVersions, isBelowMinimum, parseVersion } from '@license-activation/contract/versions';

describe('parseVersion', () => {
  it.each([
    ['4.6.0', { release: ['4', '6'], preRelease: [] }],
    ['4', { release: ['4'], preRelease: [] }],
    ['0.0.0', { release: ['0'], preRelease: [] }],
    ['v4.06.1', { release: ['4', '6', '1'], preRelease: [] }],
    ['4.6.0-beta.2', { release: ['4', '6'], preRelease: ['beta', '2'] }],
    ['4.6.0+build.7', { release: ['4', '6'], preRelease: [] }],
    ['4.6.0-rc.1+build.7', { release: ['4', '6'], preRelease: ['rc', '1'] }],
  ])('parses %s', (text, expected) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it.each(['', 'latest', '4..6', '.4.6', '4.6.', '4.6.0-', '4.6.0+', '4.6.0-beta..1', ' 4.6.0', '4.6 beta', '4.x'])(
    'rejects %j',
    (text) => {
      expect(parseVersion(text)).toBeUndefined();
    },
  );
});

describe('compareVersions', () => {
  it.each([
    ['4.10.0', '4.6.0', 1],
    ['4.6.0', '4.10.0', -1],
    ['4.6', '4.6.0', 0],
    ['4.6.0.0', '4.6', 0],
    ['4.06.0', '4.6.0', 0],
    ['v4.6.0', '4.6.0', 0],
    ['4.6.0+build.7', '4.6.0+build.8', 0],
    ['5', '4.99.99', 1],
    ['4.6.1', '4.6', 1],
    ['12345678901234567890.1', '12345678901234567890.0', 1],
    ['4.6.0-beta', '4.6.0', -1],
    ['4.6.0', '4.6.0-rc.1', 1],
    ['4.6-rc.1', '4.6.0-rc.1', 0],
    ['4.6.0-alpha', '4.6.0-beta', -1],
    ['4.6.0-beta.2', '4.6.0-beta.10', -1],
    ['4.6.0-beta.2', '4.6.0-beta', 1],
    ['4.6.0-beta', '4.6.0-beta.1', -1],
    ['4.6.0-1', '4.6.0-alpha', -1],
    ['4.6.0-alpha', '4.6.0-1', 1],
    ['4.6.1-alpha', '4.6.0', 1],
  ] as const)('orders %s against %s as %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('throws a TypeError when a version does not parse', () => {
    expect(() => compareVersions('4.6.0', 'latest')).toThrow(TypeError);
  });
});

describe('isBelowMinimum', () => {
  it.each([
    ['4.5.9', true],
    ['4.6.0-rc.1', true],
    ['4.6.0', false],
    ['4.6', false],
    ['4.10.0', false],
    ['5.0.0-beta', false],
    ['not-a-version', true],
    ['', true],
  ])('judges %j below 4.6.0: %s', (reported, expected) => {
    expect(isBelowMinimum(reported, '4.6.0')).toBe(expected);
  });

  it('throws a TypeError when the minimum does not parse', () => {
    expect(() => isBelowMinimum('4.6.0', 'four')).toThrow(TypeError);
  });
});
