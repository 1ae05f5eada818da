import { referenceCatalog } from '@license-activation/contract/reference-catalog';
import type { License, Schemas } from '../api/client';

/**
 * Products and licenses in the words people use: the product's name wherever a license is shown, and
 * its id beside it where someone must type it (`licensectl --product vault`).
 */

type LicenseType = Schemas['LicenseType'];
export type Product = (typeof referenceCatalog)[string];

export const products: readonly Product[] = Object.values(referenceCatalog);

export function productOf(productId: string): Product | undefined {
  return Object.hasOwn(referenceCatalog, productId) ? referenceCatalog[productId] : undefined;
}

/** "Secret Vault", or the id itself for a product this site's catalog does not know. */
export function productName(productId: string): string {
  return productOf(productId)?.name ?? productId;
}

/** "Secret Vault (vault)": where the id matters too. */
export function productNameAndId(productId: string): string {
  const name = productOf(productId)?.name;
  return name ? `${name} (${productId})` : productId;
}

export const productChoices = products.map((product) => ({ value: product.id, label: productNameAndId(product.id) }));

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What one license of this type grants, in a few words: "Professional edition", "50 users". */
export function grantWords(license: Pick<License, 'type' | 'edition' | 'quantity'>): string {
  const count = license.quantity;
  switch (license.type) {
    case 'edition':
      return `${capitalized(license.edition ?? '')} edition`.trim();
    case 'users':
      return `${count} user${count === 1 ? '' : 's'}`;
    case 'support':
      return `${count} support seat${count === 1 ? '' : 's'}`;
    case 'server':
      return `server, ${count} concurrent user${count === 1 ? '' : 's'}`;
    case 'site':
    case 'engine':
      return `${license.type} add-on ×${count}`;
  }
}

/** What the license grants, as a person reads it: "Secret Vault · Professional edition", "Authentication Server · 50 users". */
export function describeLicense(license: Pick<License, 'productId' | 'type' | 'edition' | 'quantity'>): string {
  return `${productName(license.productId)} · ${grantWords(license)}`;
}

/** A license named so that two of the same kind differ: its description and its key's first group. */
export function licenseLabel(license: Pick<License, 'productId' | 'type' | 'edition' | 'quantity' | 'keyPrefix'>): string {
  return `${describeLicense(license)} (key ${license.keyPrefix}-…)`;
}

/** Each license type explained for the person issuing one. */
export const licenseTypeWords: Readonly<Record<LicenseType, { name: string; explain: string }>> = {
  edition: { name: 'Edition', explain: 'Unlocks the product at one edition (Express, Professional or Premium). Quantity does not apply.' },
  users: { name: 'User seats', explain: 'Adds this many users. Packs add up on a server.' },
  support: { name: 'Support seats', explain: 'Support and updates for this many users: updates need as many support seats as user seats.' },
  site: { name: 'Sites add-on', explain: 'Turns on the sites feature, for this many sites.' },
  engine: { name: 'Distributed engines add-on', explain: 'Turns on distributed engines, for this many engines.' },
  server: { name: 'Server', explain: 'One server for this many concurrent users; more users than that put the server in limited mode.' },
};

/** The license type that takes a product out of limited mode: without one a server of it stays limited. */
export function baseLicenseTypeOf(productId: string): LicenseType | undefined {
  return productOf(productId)?.baseLicenseType;
}
