import { Duration, Stack } from 'aws-cdk-lib';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';

/**
 * The service's keys: the ECDSA P-256 key that signs license tokens, and the symmetric key of the
 * secret box. There is no ops API key on AWS: ops use IAM (cdk/constructs/license-api.ts).
 */
export class KeyMaterial extends Construct {
  readonly signingKey: Key;
  readonly signingKeyAlias: Alias;
  /** Former signing keys the JWKS still publishes (context `publishedKeyIds`), as key ARNs. */
  readonly publishedKeyArns: readonly string[];
  readonly secretsKey: Key;

  constructor(scope: Construct, id: string, { config }: { config: StageConfig }) {
    super(scope, id);
    const prefix = `alias/license-activation-${config.stage}`;

    // Asymmetric KMS keys cannot rotate themselves: each rotation is a new key generation with its
    // own logical id, and the alias (updated in place) moves to it. Generation 1 keeps the plain id.
    const generation = config.signingKeyGeneration;
    this.signingKey = new Key(this, generation === 1 ? 'SigningKey' : `SigningKeyV${generation}`, {
      description: `Signs license tokens (ES256), license-activation ${config.stage}, generation ${generation}`,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(30),
    });
    this.signingKeyAlias = new Alias(this, 'SigningKeyAlias', { aliasName: `${prefix}-signing`, targetKey: this.signingKey });

    const stack = Stack.of(this);
    this.publishedKeyArns = config.publishedKeyIds.map((keyId) => {
      // IAM grants on a key's ARN; an alias would name a key that moves under the grant.
      if (keyId.includes('alias/')) throw new TypeError(`publishedKeyIds takes key ARNs or key ids, not aliases: ${keyId}`);
      return keyId.startsWith('arn:') ? keyId : stack.formatArn({ service: 'kms', resource: 'key', resourceName: keyId });
    });

    this.secretsKey = new Key(this, 'SecretsKey', {
      description: `Encrypts license keys kept for idempotent replays, license-activation ${config.stage}`,
      enableKeyRotation: true,
      alias: `${prefix}-secrets`,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(30),
    });

  }
}
