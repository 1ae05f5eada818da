import type { Catalog, Edition, Product } from './catalog-schema.js';

// Object.hasOwn, so that an id or a name such as `constructor` finds nothing rather than a prototype member.

/** The product with this id, or undefined when the catalog has none. */
export function productById(catalog: Catalog, id: string): Product | undefined {
  return Object.hasOwn(catalog, id) ? catalog[id] : undefined;
}

/** The product's edition with this name, or undefined when it has no such edition. */
export function editionByName(product: Product, name: string): Edition | undefined {
  return product.editions && Object.hasOwn(product.editions, name) ? product.editions[name] : undefined;
}

/** The highest-ranked of these edition names; names the product does not know are ignored. */
export function highestEdition(product: Product, names: readonly string[]): string | undefined {
  let highest: { name: string; rank: number } | undefined;
  for (const name of names) {
    const rank = editionByName(product, name)?.rank;
    if (rank !== undefined && (highest === undefined || rank > highest.rank)) highest = { name, rank };
  }
  return highest?.name;
}

function lowestEdition(editions: Readonly<Record<string, Edition>>): Edition | undefined {
  return Object.values(editions).reduce<Edition | undefined>((lowest, edition) => (lowest && lowest.rank <= edition.rank ? lowest : edition), undefined);
}

/**
 * The capabilities an installation running this edition has, in the product's order. Without an edition
 * a product with editions falls back to its lowest-ranked one (what limited mode still offers when no edition
 * license is usable); a product without editions has all its capabilities.
 */
export function editionCapabilities(product: Product, edition: string | undefined): string[] {
  if (!product.editions) return [...product.capabilities];
  const chosen = (edition === undefined ? undefined : editionByName(product, edition)) ?? lowestEdition(product.editions);
  const included = new Set(chosen?.capabilities);
  return product.capabilities.filter((capability) => included.has(capability));
}

/** The capabilities limited mode takes away, in the product's order. */
export function restrictedCapabilities(product: Product): string[] {
  const { capabilities, limitedMode } = product;
  if ('restricted' in limitedMode) return capabilities.filter((capability) => limitedMode.restricted.includes(capability));
  return capabilities.filter((capability) => !limitedMode.allowed.includes(capability));
}
