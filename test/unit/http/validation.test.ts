import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ProblemError } from '@license-activation/contract/problem';
import { fieldErrors, validateNoBody } from '#lib/http/validation.js';
import { ActivationInput } from '@license-activation/contract/installation-requests';

/** What the no-body check answered when it was a zod schema: the hand-written check must answer the same. */
const asZodAnswered = z.object({}).strict().optional();

function answerOf(body: unknown) {
  try {
    validateNoBody(body);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { ok: false, code: error.code, detail: error.detail, errors: error.extra.errors };
  }
}

describe('validateNoBody', () => {
  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['an object with fields', { name: 'Ada', extra: true }],
    ['null', null],
    ['an array', [1]],
    ['a string', 'hello'],
    ['a number', 3],
    ['a boolean', false],
  ])('answers %s as the zod schema did', (_, body) => {
    const parsed = asZodAnswered.safeParse(body);
    expect(answerOf(body)).toEqual(
      parsed.success ? { ok: true } : { ok: false, code: 'VALIDATION_FAILED', detail: 'the body is not valid', errors: fieldErrors(parsed.error) },
    );
  });

  it('names every unknown field', () => {
    expect(answerOf({ a: 1, b: 2 })).toMatchObject({ errors: [{ path: 'a', message: 'unknown field' }, { path: 'b', message: 'unknown field' }] });
  });
});

describe('fieldErrors of a body of several shapes', () => {
  const facts = { productId: 'authserver', fingerprint: 'f', hostname: 'h', version: '1', virtual: false };
  const errorsOf = (body: unknown) => fieldErrors(ActivationInput.safeParse(body).error ?? { issues: [] });

  it('names the field that makes an activation both by key and by license id', () => {
    expect(errorsOf({ key: 'ABCDE', licenseId: 'lic_1', ...facts })).toEqual([{ path: 'licenseId', message: 'unknown field' }]);
  });

  it('names the missing key of an activation by neither', () => {
    expect(errorsOf(facts)).toEqual([{ path: 'key', message: expect.stringContaining('expected string') }]);
  });

  it('judges a body by the shape it comes closest to', () => {
    expect(errorsOf({ licenseId: 'lic_1', ...facts, virtual: 'no' })).toEqual([{ path: 'virtual', message: expect.stringContaining('expected boolean') }]);
  });
});
