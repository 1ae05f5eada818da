import type * as z from 'zod/mini';
import { problem } from '@license-activation/contract/problem';
import type { FieldError } from '@license-activation/contract/problem';

function joinPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment))).join('.').replaceAll('.[', '[');
}

/**
 * zod issues as the contract's `errors[]`: one entry per field, unknown fields named one by one. A
 * value that matches none of a union's shapes (e.g. an activation by `key` or by `licenseId`) is
 * judged by the shape it comes closest to, the one with the fewest issues, so the fields are named.
 */
export function fieldErrors(error: Pick<z.core.$ZodError, 'issues'>, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: joinPath([...path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
      return fieldErrors({ issues: closest }, path);
    }
    return [{ path: joinPath(path), message: issue.message }];
  });
}

/** Parses `value` with `schema`, or throws 400 VALIDATION_FAILED naming every offending field. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw problem('VALIDATION_FAILED', `the ${what} is not valid`, { errors: fieldErrors(result.error) });
}

/**
 * What a route without a body schema accepts: no body, or an empty JSON object. Checked by hand,
 * with the answers zod would give, so that routes that validate nothing never load zod.
 */
export function validateNoBody(value: unknown): undefined {
  if (value === undefined) return undefined;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const errors: FieldError[] =
    kind === 'object'
      ? Object.keys(value as object).map((path) => ({ path, message: 'unknown field' }))
      : [{ path: '', message: `Invalid input: expected object, received ${kind}` }];
  if (errors.length > 0) throw problem('VALIDATION_FAILED', 'the body is not valid', { errors });
  return undefined;
}
