import { p256 } from '@noble/curves/nist.js';

/**
 * KMS returns ECDSA signatures DER-encoded, where r and s are minimal big-endian integers (shorter
 * than 32 bytes, or with a leading 0x00). ES256 wants r‖s, each left-padded to 32 bytes (RFC 7518 §3.4).
 */
export function derToJoseSignature(der: Uint8Array): Uint8Array {
  return p256.Signature.fromBytes(der, 'der').toBytes('compact');
}
