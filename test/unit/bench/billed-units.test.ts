import { describe, expect, it } from 'vitest';
import { itemSize } from '#bench/billed-units.js';

describe('itemSize (DynamoDB item size rules)', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(itemSize({ pk: 'LICENSE#a', name: 'Müller' })).toBe(2 + 9 + 4 + 7);
  });

  it('counts numbers by their significant digits, two to a byte, plus one', () => {
    expect(itemSize({ n: 7 })).toBe(1 + 2);
    expect(itemSize({ n: 123456 })).toBe(1 + 4);
    expect(itemSize({ n: -0.5 })).toBe(1 + 2);
  });

  it('counts a map or list as 3 bytes plus its elements, one byte each, and the names inside', () => {
    expect(itemSize({ m: {} })).toBe(1 + 3);
    expect(itemSize({ m: { ab: 'x' } })).toBe(1 + 3 + 2 + 1 + 1);
    expect(itemSize({ l: [true, 'yz'] })).toBe(1 + 3 + (1 + 1) + (2 + 1));
  });
});
