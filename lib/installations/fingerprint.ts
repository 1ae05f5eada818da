import { createHash } from 'node:crypto';

/**
 * The stored form of a machine fingerprint: hashed with the product, so the raw value (which may
 * identify hardware) is never kept, and the same machine counts separately for each product.
 */
export function fingerprintHash(productId: string, fingerprint: string): string {
  return createHash('sha256').update(`${productId}\0${fingerprint}`, 'utf8').digest('base64url');
}
