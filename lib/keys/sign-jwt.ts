import type { TokenSigner } from './token-signer.js';

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * A compact JWS (RFC 7515) of `payload`, protected header exactly `{alg: 'ES256', typ, kid}`.
 * Built by hand rather than with jose's `SignJWT`, because the private key may live in KMS:
 * the signer sees only the signing input, once per token.
 */
export async function signJwt(signer: TokenSigner, header: { readonly typ: string }, payload: object): Promise<string> {
  const protectedHeader = { alg: 'ES256', typ: header.typ, kid: await signer.keyId() };
  const signingInput = `${encodeSegment(protectedHeader)}.${encodeSegment(payload)}`;
  const signature = await signer.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}
