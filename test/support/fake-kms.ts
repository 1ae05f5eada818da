import { generateKeyPairSync } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { p256 } from '@noble/curves/nist.js';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A KMS that really signs: `Sign` (MessageType DIGEST, ECDSA_SHA_256) answers a DER signature made
 * with a P-256 key held here, `GetPublicKey` its SPKI. Tokens signed through it verify with jose.
 */
export function fakeKms(keyArn = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000001') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = Buffer.from(String(privateKey.export({ format: 'jwk' }).d), 'base64url');
  const kms = mockClient(KMSClient);
  kms.on(GetPublicKeyCommand).resolves({ KeyId: keyArn, PublicKey: publicKey.export({ type: 'spki', format: 'der' }), KeySpec: 'ECC_NIST_P256' });
  kms.on(SignCommand).callsFake((input: { Message?: Uint8Array; MessageType?: string }) => {
    if (input.MessageType !== 'DIGEST' || !input.Message) throw new Error('the fake KMS signs digests only');
    return { KeyId: keyArn, Signature: p256.sign(input.Message, secret, { prehash: false, format: 'der' }), SigningAlgorithm: 'ECDSA_SHA_256' };
  });
  return { kms, keyArn };
}
