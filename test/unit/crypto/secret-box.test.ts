import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  EncryptCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSServiceException,
} from '@aws-sdk/client-kms';
import type { DecryptCommandInput, EncryptCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsSecretBox } from '#lib/keys/kms-secret-box.js';
import { LocalSecretBox, secretBoxKeyFileName } from '#lib/keys/local-secret-box.js';
import { SecretBoxError } from '#lib/keys/secret-box.js';
import type { SecretBox, SecretContext } from '#lib/keys/secret-box.js';

const licenseKey = 'K7Q2M-9XH4T-P3W8R-ZC6VN-B1D5F';
const context: SecretContext = { callerId: 'reseller-01JH4X7Q9M2N', idempotencyKeyHash: 'q1w2e3r4t5y6u7i8o9p0' };

const encryptionKeyArn = 'arn:aws:kms:eu-west-1:111122223333:key/33333333-3333-4333-8333-333333333333';
const kms = mockClient(KMSClient);
const fakeKmsKey = Buffer.alloc(32, 0x5a);

/** What the fake KMS authenticates along with the plaintext: the key and the encryption context, in any order. */
function fakeKmsAad(keyId: string | undefined, encryptionContext: Record<string, string> = {}) {
  return Buffer.from(JSON.stringify([keyId, Object.entries(encryptionContext).sort()]));
}

/** Encrypts like KMS: the blob only decrypts under the same key and encryption context. */
function encrypt(input: EncryptCommandInput) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', fakeKmsKey, iv);
  cipher.setAAD(fakeKmsAad(input.KeyId, input.EncryptionContext));
  const ciphertext = Buffer.concat([cipher.update(input.Plaintext ?? new Uint8Array()), cipher.final()]);
  return { KeyId: input.KeyId, CiphertextBlob: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) };
}

function decrypt(input: DecryptCommandInput) {
  if (input.KeyId !== encryptionKeyArn) {
    throw new IncorrectKeyException({ message: 'The key ID in the request does not identify the key that encrypted it', $metadata: {} });
  }
  const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
  try {
    const decipher = createDecipheriv('aes-256-gcm', fakeKmsKey, blob.subarray(0, 12));
    decipher.setAAD(fakeKmsAad(input.KeyId, input.EncryptionContext));
    decipher.setAuthTag(blob.subarray(12, 28));
    return { KeyId: input.KeyId, Plaintext: Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]) };
  } catch {
    throw new InvalidCiphertextException({ message: 'InvalidCiphertextException', $metadata: {} });
  }
}

/** Changes one character in the middle of the last segment, where every base64 character carries 6 data bits. */
function tamper(sealed: string): string {
  const at = sealed.length - 10;
  return sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
}

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'secret-box-'));
  kms.on(EncryptCommand).callsFake(encrypt);
  kms.on(DecryptCommand).callsFake(decrypt);
});

afterEach(async () => {
  kms.reset();
  await rm(dataDir, { recursive: true, force: true });
});

const kmsBox = (keyId = encryptionKeyArn) => new KmsSecretBox(new KMSClient({ region: 'eu-west-1' }), keyId);

describe.each<[string, () => SecretBox]>([
  ['LocalSecretBox', () => new LocalSecretBox(dataDir)],
  ['KmsSecretBox', () => kmsBox()],
])('%s', (_, createBox) => {
  it('opens what it sealed when given the same context in another order', async () => {
    const box = createBox();
    const sealed = await box.seal(licenseKey, context);

    const reordered = Object.fromEntries(Object.entries(context).reverse());

    await expect(box.open(sealed, reordered)).resolves.toBe(licenseKey);
  });

  it('seals the same plaintext differently each time, never in clear', async () => {
    const box = createBox();

    const [first, second] = await Promise.all([box.seal(licenseKey, context), box.seal(licenseKey, context)]);

    expect(first).not.toBe(second);
    expect(first).not.toContain(licenseKey);
  });

  it.each<[string, SecretContext]>([
    ['another caller', { ...context, callerId: 'reseller-01JH4X7Q9M2P' }],
    ['a missing entry', { callerId: context.callerId ?? '' }],
    ['an extra entry', { ...context, purpose: 'replay' }],
    ['no context', {}],
  ])('refuses to open under %s', async (_, otherContext) => {
    const box = createBox();
    const sealed = await box.seal(licenseKey, context);

    await expect(box.open(sealed, otherContext)).rejects.toBeInstanceOf(SecretBoxError);
  });

  it('refuses to open a tampered sealed value', async () => {
    const box = createBox();
    const sealed = await box.seal(licenseKey, context);

    await expect(box.open(tamper(sealed), context)).rejects.toBeInstanceOf(SecretBoxError);
  });
});

describe('LocalSecretBox', () => {
  it('creates its key file readable by its owner only on first use', async () => {
    await new LocalSecretBox(dataDir).seal(licenseKey, context);

    const path = join(dataDir, secretBoxKeyFileName);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await readFile(path, 'utf8'), 'base64')).toHaveLength(32);
  });

  it('writes sealed values as v1.<iv>.<ciphertext and tag> in base64url', async () => {
    const sealed = await new LocalSecretBox(dataDir).seal(licenseKey, context);

    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{60}$/);
  });

  it('opens what another instance over the same data directory sealed', async () => {
    const sealed = await new LocalSecretBox(dataDir).seal(licenseKey, context);

    await expect(new LocalSecretBox(dataDir).open(sealed, context)).resolves.toBe(licenseKey);
  });

  it('refuses a value sealed under another data directory’s key', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'secret-box-other-'));
    const sealed = await new LocalSecretBox(otherDir).seal(licenseKey, context);
    await rm(otherDir, { recursive: true, force: true });

    await expect(new LocalSecretBox(dataDir).open(sealed, context)).rejects.toBeInstanceOf(SecretBoxError);
  });

  it.each(['', licenseKey, 'v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'v1.AAAA.AAAAAAAAAAAAAAAAAAAAAA', 'v1.AAAAAAAAAAAAAAAA.AAAA'])(
    'refuses %j, which is not a sealed value',
    async (notSealed) => {
      await expect(new LocalSecretBox(dataDir).open(notSealed, context)).rejects.toBeInstanceOf(SecretBoxError);
    },
  );
});

describe('KmsSecretBox', () => {
  it('encrypts with its key and the context as encryption context, and answers the blob in base64', async () => {
    const sealed = await kmsBox().seal(licenseKey, context);

    const [call] = kms.commandCalls(EncryptCommand);
    expect(call?.args[0].input).toMatchObject({ KeyId: encryptionKeyArn, EncryptionContext: context });
    expect(Buffer.from(call?.args[0].input.Plaintext ?? []).toString('utf8')).toBe(licenseKey);
    expect(Buffer.from((await call?.returnValue)?.CiphertextBlob ?? []).toString('base64')).toBe(sealed);
  });

  it('decrypts the base64 blob with its key and the context as encryption context', async () => {
    const box = kmsBox();
    const sealed = await box.seal(licenseKey, context);

    await box.open(sealed, context);

    const [call] = kms.commandCalls(DecryptCommand);
    expect(call?.args[0].input).toMatchObject({ KeyId: encryptionKeyArn, EncryptionContext: context });
    expect(Buffer.from(call?.args[0].input.CiphertextBlob ?? []).toString('base64')).toBe(sealed);
  });

  it('refuses a value sealed under another KMS key', async () => {
    const sealed = await kmsBox().seal(licenseKey, context);

    await expect(kmsBox('alias/another-key').open(sealed, context)).rejects.toBeInstanceOf(SecretBoxError);
  });

  it('lets a KMS throttling error through unchanged', async () => {
    const sealed = await kmsBox().seal(licenseKey, context);
    const throttling = new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    kms.on(DecryptCommand).rejects(throttling);

    await expect(kmsBox().open(sealed, context)).rejects.toBe(throttling);
  });
});
