import type { Catalog } from '@license-activation/contract/catalog-schema';
import { referenceCatalog } from '@license-activation/contract/reference-catalog';

/** The product catalog this deployment sells: code, reviewed and shipped with `cdk deploy`. */
export function catalog(): Catalog {
  return referenceCatalog;
}
