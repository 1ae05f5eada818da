import * as z from 'zod';
import { LicenseType } from './license-type.js';
import { parseVersion } from './versions.js';

/**
 * The catalog's shape: products, their license types, editions, trials and limited mode.
 * These schemas are the only definition of the types; the cross-field rules below make a product
 * that cannot be licensed consistently fail to parse, so a bad catalog edit fails the tests and `cdk synth`.
 */

export { LicenseType };

const slug = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter');

/** A capability a product knows (`admin-login`) or a feature an add-on enables (`sites`). */
export const Capability = slug;

export const Edition = z.strictObject({
  /** Higher ranks win when an installation holds several edition licenses. */
  rank: z.number().int().nonnegative(),
  capabilities: z.array(Capability).nonempty(),
});
export type Edition = z.infer<typeof Edition>;

export const TrialPolicy = z.strictObject({
  days: z.number().int().positive(),
  /** User seats while on trial. */
  seats: z.number().int().positive(),
  /** The edition a trial runs as; required for products with editions. */
  edition: z.string().optional(),
});
export type TrialPolicy = z.infer<typeof TrialPolicy>;

/** What limited mode leaves: either the capabilities still allowed, or the ones restricted (everything else stays). */
export const LimitedModePolicy = z.union([
  z.strictObject({ allowed: z.array(Capability) }),
  z.strictObject({ restricted: z.array(Capability) }),
]);
export type LimitedModePolicy = z.infer<typeof LimitedModePolicy>;

const ProductFields = z.strictObject({
  id: slug,
  name: z.string().min(1),
  licenseTypes: z.array(LicenseType).nonempty(),
  /** The license type that activates the product: without a usable one it runs in limited mode. */
  baseLicenseType: LicenseType,
  /** The license type whose quantities add up to the installation's user seats. */
  seatLicenseType: LicenseType,
  /** Every capability the product knows, in the order tokens list them. */
  capabilities: z.array(Capability).nonempty(),
  /** Editions by name; present exactly when the product sells `edition` licenses. */
  editions: z.record(slug, Edition).refine((editions) => Object.keys(editions).length > 0, 'at least one edition').optional(),
  /** The feature each add-on license type enables. */
  addOns: z.partialRecord(LicenseType, Capability),
  trial: TrialPolicy.optional(),
  limitedMode: LimitedModePolicy,
  virtualMachines: z.enum(['allowed', 'denied']),
  /** Older reported versions get the `VERSION_UNSUPPORTED` warning. */
  minVersion: z.string().optional(),
  /** What more consumed seats than licensed ones do: only warn, or also put the installation in limited mode. */
  seatOverage: z.enum(['warn', 'limit']),
  /**
   * What a detected clone (two running copies of one installation, API.md §10) does: only warn, or also put
   * the installation in limited mode; "limit" also requires every heartbeat to present its chain.
   */
  clones: z.enum(['warn', 'limit']),
  /** Whether the product sells `support` licenses and its tokens carry a `support` claim. */
  support: z.boolean(),
  /**
   * How long an online activation holds its slot without its installation being seen (API.md §8);
   * absent: activations end only when released. Tokens never outlive it.
   */
  leaseDays: z.number().int().positive().optional(),
});

type ProductFields = z.infer<typeof ProductFields>;
type Issue = { path: (string | number)[]; message: string };

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

function* productIssues(product: ProductFields): Generator<Issue> {
  const { licenseTypes, baseLicenseType, seatLicenseType, capabilities, editions, addOns, trial, limitedMode } = product;
  const known = new Set(capabilities);
  const sells = (type: LicenseType): boolean => licenseTypes.includes(type);
  const addOnTypes = Object.keys(addOns) as LicenseType[];

  for (const type of duplicates(licenseTypes)) yield { path: ['licenseTypes'], message: `license type ${type} is listed twice` };
  for (const capability of duplicates(capabilities)) yield { path: ['capabilities'], message: `capability ${capability} is listed twice` };

  // Every license type sold has exactly the roles the decision gives it: `edition` ranks editions, `support`
  // counts support seats, the base activates, the seat type counts user seats, an add-on enables a feature.
  for (const field of ['baseLicenseType', 'seatLicenseType'] as const) {
    if (!sells(product[field])) yield { path: [field], message: `${product[field]} is not one of the product's license types` };
    if (product[field] === 'support') yield { path: [field], message: 'support licenses only count support seats' };
  }
  for (const type of addOnTypes) {
    if (!sells(type)) yield { path: ['addOns', type], message: `${type} is not one of the product's license types` };
    if (['edition', 'support', baseLicenseType, seatLicenseType].includes(type)) yield { path: ['addOns', type], message: `${type} licenses already have another role` };
  }
  for (const type of licenseTypes) {
    if (!['edition', 'support', baseLicenseType, seatLicenseType, ...addOnTypes].includes(type)) {
      yield { path: ['licenseTypes'], message: `${type} licenses have no role: make them the base, the seats or an add-on` };
    }
  }
  if (product.support !== sells('support')) yield { path: ['support'], message: 'support is true exactly when support is one of the license types' };

  for (const feature of Object.values(addOns).filter((feature) => known.has(feature))) {
    yield { path: ['addOns'], message: `add-on feature ${feature} is also a capability` };
  }
  for (const feature of duplicates(Object.values(addOns))) yield { path: ['addOns'], message: `two add-ons enable ${feature}` };

  if (sells('edition') !== (editions !== undefined)) yield { path: ['editions'], message: 'editions are present exactly when edition is one of the license types' };
  for (const [name, edition] of Object.entries(editions ?? {})) {
    for (const capability of edition.capabilities.filter((capability) => !known.has(capability))) {
      yield { path: ['editions', name, 'capabilities'], message: `unknown capability ${capability}` };
    }
  }
  for (const rank of duplicates(Object.values(editions ?? {}).map((edition) => String(edition.rank)))) {
    yield { path: ['editions'], message: `two editions share rank ${rank}` };
  }

  if (trial && editions && trial.edition === undefined) yield { path: ['trial', 'edition'], message: 'a trial of a product with editions needs an edition' };
  if (trial?.edition !== undefined && !(editions && Object.hasOwn(editions, trial.edition))) yield { path: ['trial', 'edition'], message: `unknown edition ${trial.edition}` };

  const [limitedKey, limitedList] = 'allowed' in limitedMode ? ['allowed', limitedMode.allowed] : ['restricted', limitedMode.restricted];
  for (const capability of limitedList.filter((capability) => !known.has(capability))) {
    yield { path: ['limitedMode', limitedKey], message: `unknown capability ${capability}` };
  }

  if (product.minVersion !== undefined && !parseVersion(product.minVersion)) {
    yield { path: ['minVersion'], message: `${product.minVersion} is not a version` };
  }
}

export const Product = ProductFields.superRefine((product, context) => {
  for (const issue of productIssues(product)) context.addIssue({ code: 'custom', ...issue });
});
export type Product = z.infer<typeof Product>;

/** Products by id. */
export const Catalog = z.record(slug, Product).superRefine((catalog, context) => {
  for (const [id, product] of Object.entries(catalog)) {
    if (product.id !== id) context.addIssue({ code: 'custom', path: [id, 'id'], message: `the product under ${id} has id ${product.id}` });
  }
});
export type Catalog = z.infer<typeof Catalog>;
