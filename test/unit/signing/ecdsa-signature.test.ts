import { createHash, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { fc, it } from '@fast-check/vitest';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect } from 'vitest';
import { derToJoseSignature } from '#lib/keys/ecdsa-signature.js';

const curveOrder = p256.Point.CURVE().n;

/** ASN.1 DER INTEGER, written here independently of the code under test: minimal, with 0x00 before a high bit. */
function derInteger(value: bigint): number[] {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = [...Buffer.from(hex, 'hex')];
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

function derSignature(r: bigint, s: bigint): Uint8Array {
  const body = [...derInteger(r), ...derInteger(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

const to32Bytes = (value: bigint) => value.toString(16).padStart(64, '0');

/** Scalars of every length: short ones (leading zero bytes in r‖s) are as likely as full-width ones. */
const scalar = fc.oneof(
  fc.bigInt({ min: 1n, max: 2n ** 64n }),
  fc.bigInt({ min: 1n, max: 2n ** 248n }),
  fc.bigInt({ min: 2n ** 255n, max: curveOrder - 1n }),
  fc.bigInt({ min: 1n, max: curveOrder - 1n }),
);

const privateJwk = {
  kty: 'EC',
  crv: 'P-256',
  x: '_RuFzt7OOFI-Pf0d6sSIhsbDYqg2ylIvk_OINVmkWWs',
  y: '7wWqZEWZu_PSAj_bPSRHNh2cpn_O58nmXR71gJ4tgm8',
  d: '7RdamOAwwS16BQom3Jxc_db33nGvPDgWSquAD0h5kPY',
};
const publicKey = createPublicKey(createPrivateKey({ key: privateJwk, format: 'jwk' }));
const secretKey = Buffer.from(privateJwk.d, 'base64url');

describe('derToJoseSignature', () => {
  it.prop([scalar, scalar], { numRuns: 500 })('turns DER (r, s) into r‖s, each left-padded to 32 bytes', (r, s) => {
    const raw = derToJoseSignature(derSignature(r, s));

    expect(Buffer.from(raw).toString('hex')).toBe(to32Bytes(r) + to32Bytes(s));
  });

  it.prop([fc.uint8Array({ minLength: 0, maxLength: 256 })], { numRuns: 200 })(
    'turns a DER signature over any message into an IEEE P1363 signature that verifies',
    (message) => {
      const digest = createHash('sha256').update(message).digest();
      const der = p256.sign(digest, secretKey, { prehash: false, format: 'der' });

      const raw = derToJoseSignature(der);

      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    },
  );

  it.each([
    ['truncated', [0x30, 0x03, 0x02, 0x01]],
    ['not a SEQUENCE', [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['a SEQUENCE length that disagrees', [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]],
    ['trailing bytes', [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00]],
    ['a negative r', [0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]],
    ['a non-minimal r', [0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]],
    ['an r of 33 bytes', [0x30, 0x26, 0x02, 0x21, 0x01, ...Array(32).fill(0x01), 0x02, 0x01, 0x01]],
    ['an INTEGER of length 0', [0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01]],
  ])('throws on bytes that are not a DER signature: %s', (_, bytes) => {
    expect(() => derToJoseSignature(Uint8Array.from(bytes))).toThrow(TypeError);
  });

  it('throws on a DER signature whose r is zero', () => {
    expect(() => derToJoseSignature(derSignature(0n, 1n))).toThrow();
  });
});
