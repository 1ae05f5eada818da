/** Bytes of r and of s in an ES256 signature (RFC 7518 §3.4). */
const scalarBytes = 32;

function malformed(reason: string): never {
  throw new TypeError(`not a DER ECDSA P-256 signature: ${reason}`);
}

/** One DER INTEGER at `offset`: its minimal big-endian bytes without the sign byte, and where the next field starts. */
function readInteger(der: Uint8Array, offset: number): { value: Uint8Array; next: number } {
  if (der[offset] !== 0x02) malformed('expected an INTEGER');
  const length = der[offset + 1] ?? malformed('truncated INTEGER');
  const start = offset + 2;
  const end = start + length;
  if (length === 0 || length > scalarBytes + 1 || end > der.length) malformed('bad INTEGER length');
  let value = der.subarray(start, end);
  if ((value[0] ?? 0) & 0x80) malformed('negative INTEGER');
  // DER is minimal: a leading 0x00 only where the next byte has its high bit set.
  if (value[0] === 0 && value.length > 1) {
    if (!((value[1] ?? 0) & 0x80)) malformed('non-minimal INTEGER');
    value = value.subarray(1);
  }
  if (value.length > scalarBytes) malformed('INTEGER longer than 32 bytes');
  if (value.every((byte) => byte === 0)) malformed('zero INTEGER');
  return { value, next: end };
}

/**
 * KMS returns ECDSA signatures DER-encoded: SEQUENCE { INTEGER r, INTEGER s }, each a minimal
 * big-endian integer (shorter than 32 bytes, or with a leading 0x00). ES256 wants r‖s, each
 * left-padded to 32 bytes. A P-256 signature is at most 72 bytes, so every length is a single byte.
 * Read by hand: the only library that does it (@noble/curves) costs every signing function ~10 ms of
 * cold start for these few lines.
 */
export function derToJoseSignature(der: Uint8Array): Uint8Array {
  if (der[0] !== 0x30) malformed('expected a SEQUENCE');
  if (der[1] !== der.length - 2 || der.length > 2 + 2 * (2 + scalarBytes + 1)) malformed('bad SEQUENCE length');
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) malformed('trailing bytes');
  const raw = new Uint8Array(2 * scalarBytes);
  raw.set(r.value, scalarBytes - r.value.length);
  raw.set(s.value, 2 * scalarBytes - s.value.length);
  return raw;
}
