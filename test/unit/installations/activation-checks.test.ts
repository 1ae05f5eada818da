import { describe, expect, it } from 'vitest';
import { slotRefusal } from '#lib/installations/activation-checks.js';

describe('slotRefusal', () => {
  it.each([
    [1, 'the license is activated on 1 installation already'],
    [5, 'the license is activated on 5 installations already'],
    [undefined, 'the license is activated on all its installations already'],
  ])('says how many installations hold a full license of %s slots, in good English', (maxActivations, detail) => {
    expect(slotRefusal({ status: 'active', maxActivations })).toEqual({ code: 'TOO_MANY_ACTIVATIONS', detail });
  });

  it('answers the status of a license that stopped being usable meanwhile', () => {
    expect(slotRefusal({ status: 'revoked', maxActivations: 1 }).code).toBe('LICENSE_REVOKED');
    expect(slotRefusal({ status: 'suspended', maxActivations: 1 }).code).toBe('LICENSE_SUSPENDED');
  });
});
