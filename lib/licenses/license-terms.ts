import type { Catalog } from '@license-activation/contract/catalog-schema';
import { editionByName, productById } from '@license-activation/contract/product-queries';
import { problem } from '@license-activation/contract/problem';
import type { FieldError } from '@license-activation/contract/problem';
import type { IssueLicenseInput } from '@license-activation/contract/schemas';

/** What a license grants, as checked against the catalog. */
export interface LicenseTerms {
  readonly productId: string;
  readonly type: IssueLicenseInput['type'];
  readonly quantity: number;
  readonly edition?: string;
  readonly expiresAt?: string;
  readonly maxActivations: number;
}

/**
 * The terms of a license to issue, or 400 VALIDATION_FAILED naming every field the catalog refuses:
 * the product must exist and sell the type, an edition license must name one of its editions (and
 * only edition licenses name one), and the end must lie in the future.
 */
export function licenseTermsFor(catalog: Catalog, input: IssueLicenseInput, now: Date): LicenseTerms {
  const errors: FieldError[] = [];
  const product = productById(catalog, input.productId);
  if (!product) {
    errors.push({ path: 'productId', message: `unknown product; one of ${Object.keys(catalog).join(', ')}` });
  } else if (!product.licenseTypes.includes(input.type)) {
    errors.push({ path: 'type', message: `${product.id} is licensed by ${product.licenseTypes.join(', ')}` });
  } else if (input.type === 'edition') {
    if (input.edition === undefined) errors.push({ path: 'edition', message: 'an edition license names its edition' });
    else if (!editionByName(product, input.edition)) {
      errors.push({ path: 'edition', message: `${product.id} editions are ${Object.keys(product.editions ?? {}).join(', ')}` });
    }
  } else if (input.edition !== undefined) {
    errors.push({ path: 'edition', message: 'only edition licenses name an edition' });
  }
  const expiresAt = input.expiresAt === undefined ? undefined : new Date(input.expiresAt);
  if (expiresAt && expiresAt.getTime() <= now.getTime()) errors.push({ path: 'expiresAt', message: 'must be in the future' });
  // 9999-12-31T23:59:59-14:00 is valid input but lies in the year 10000, which ISO-8601 UTC (and the
  // contract's date-time) cannot write in four digits.
  if (expiresAt && expiresAt.getUTCFullYear() > 9999) errors.push({ path: 'expiresAt', message: 'must end before the year 10000 (UTC)' });
  if (errors.length > 0) throw problem('VALIDATION_FAILED', 'the license does not fit the catalog', { errors });
  return {
    productId: input.productId,
    type: input.type,
    quantity: input.quantity ?? 1,
    ...(input.edition !== undefined ? { edition: input.edition } : {}),
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    maxActivations: input.maxActivations ?? 1,
  };
}
