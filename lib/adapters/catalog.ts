import type { Catalog } from '../catalog/catalog-schema.js';
import { referenceCatalog } from '../catalog/reference-catalog.js';

/** The product catalog this deployment sells: code, reviewed and shipped with `cdk deploy`. */
export function catalog(): Catalog {
  return referenceCatalog;
}
