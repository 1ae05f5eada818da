import * as z from 'zod';

/** The part of JSON Schema that `z.toJSONSchema` writes for our request schemas. */
interface PropertySchema {
  readonly type?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, PropertySchema>>;
  readonly required?: readonly string[];
}

const wrongTypes: readonly unknown[] = [null, true, 0, '', [], {}];

/**
 * Values one step from valid for a field: its bounds and just past them, its format almost right,
 * its enum almost matched, and values of the wrong type. `z.toJSONSchema` supplies the constraints,
 * so the candidates follow the schemas the handlers validate with.
 */
function candidatesFor(schema: PropertySchema): unknown[] {
  switch (schema.type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 64;
      const sized = [min > 0 ? 'a'.repeat(min - 1) : undefined, 'a'.repeat(Math.max(min, 1)), 'a'.repeat(max), 'a'.repeat(max + 1), '€'.repeat(max), ' \u0000\u200b', '\ud800'];
      const formats: Record<string, unknown[]> = {
        email: ['not-an-email', 'a@b', 'ops@example', 'ä@exämple.com', 'x@example.com '],
        'date-time': ['2030-02-30T00:00:00Z', '9999-12-31T23:59:59-14:00', '2000-01-01T00:00:00Z', '2099-01-01T00:00:00.123456789+05:30', '2099-01-01', 'tomorrow'],
      };
      const enumerated = schema.enum ? [...schema.enum, ...schema.enum.map((value) => String(value).toUpperCase()), 'other'] : [];
      return [...sized.filter((value) => value !== undefined), ...(formats[schema.format ?? ''] ?? []), ...enumerated, 42];
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? 1_000_000;
      return [min, min - 1, max, max + 1, 1.5, -0, 1e21, Number.MAX_SAFE_INTEGER + 2, '1'];
    }
    case 'boolean':
      return [true, false, 'true', 0];
    case 'object':
      return [...wrongTypes, ...(schema.properties ? [{}] : [])];
    default:
      return [...wrongTypes];
  }
}

/** Names every plain object inherits (`constructor`, `__proto__`, `toString`…): code that indexes a plain object by a client's name meets them. */
export const prototypeNames: readonly string[] = Object.getOwnPropertyNames(Object.prototype);

const unknownFields = ['extra', ...prototypeNames];

/**
 * Every body one mistake away from `base`, a valid body for `schema`: one field set to a near-valid
 * value (from `candidatesFor`, or from `semantic`, values that mean something to the route: ids of
 * the world, keys, products), one field removed, or one unknown field added; nested objects likewise.
 * `base` itself comes first. Few enough (about a hundred a schema) to send them all.
 */
export function nearValidBodies(schema: z.core.$ZodType, base: Readonly<Record<string, unknown>>, semantic: Readonly<Record<string, readonly unknown[]>> = {}): Record<string, unknown>[] {
  return mutationsOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as PropertySchema, base, semantic);
}

function mutationsOf(schema: PropertySchema, base: Readonly<Record<string, unknown>>, semantic: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  const withField = (name: string, value: unknown) => ({ ...base, [name]: value });
  const bodies: Record<string, unknown>[] = [{ ...base }];
  for (const name of unknownFields) bodies.push(Object.defineProperty({ ...base }, name, { value: 'x', enumerable: true }));
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    for (const value of [...candidatesFor(property), ...(semantic[name] ?? [])]) bodies.push(withField(name, value));
    bodies.push(Object.fromEntries(Object.entries(base).filter(([field]) => field !== name)));
    const nested = base[name];
    if (property.type === 'object' && nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
      for (const value of mutationsOf(property, nested as Record<string, unknown>, semantic)) bodies.push(withField(name, value));
    }
  }
  return bodies;
}
