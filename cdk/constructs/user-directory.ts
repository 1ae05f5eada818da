import { Duration, SecretValue } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClientIdentityProvider,
  UserPoolIdentityProviderGoogle,
} from 'aws-cdk-lib/aws-cognito';
import type { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { passwordPolicy } from '@license-activation/contract/password-policy';
import type { StageConfig } from '../stage-config.js';

export interface UserDirectoryProps {
  readonly config: StageConfig;
}

/**
 * The people of API.md §7: a Cognito user pool (email sign-in, verified by a code, strong passwords,
 * optional TOTP) and one public app client for the license site and the CLI — no secret, password
 * (the site) and SRP sign-in, refresh tokens, the site's callback and sign-out URLs. With `googleClientId` in the context, people may also sign in with Google through
 * the pool's hosted domain.
 */
export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly stage: StageConfig['stage'];

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);
    const { config } = props;
    this.stage = config.stage;
    const prod = config.stage === 'prod';
    this.userPool = new UserPool(this, 'Pool', {
      userPoolName: `license-activation-${config.stage}`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // The policy the local directory enforces too, and the license site's hint describes.
      passwordPolicy: { ...passwordPolicy, tempPasswordValidity: Duration.days(3) },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (compromised credentials, adaptive authentication) needs the Plus plan: prod pays for it.
      featurePlan: prod ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(prod ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: config.deletionProtection,
      removalPolicy: config.removalPolicy,
    });

    const google = config.google && new UserPoolIdentityProviderGoogle(this, 'Google', {
      userPool: this.userPool,
      clientId: config.google.clientId,
      clientSecretValue: SecretValue.secretsManager(config.google.clientSecretName),
      scopes: ['openid', 'email', 'profile'],
      attributeMapping: { email: ProviderAttribute.GOOGLE_EMAIL, emailVerified: ProviderAttribute.GOOGLE_EMAIL_VERIFIED },
    });
    if (config.google) this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.google.domainPrefix } });

    this.client = this.userPool.addClient('Client', {
      userPoolClientName: 'license-site-and-cli',
      // A browser page and a CLI keep no secret.
      generateSecret: false,
      // The license site signs in with USER_PASSWORD_AUTH (over TLS to Cognito): cognito-local has no SRP, and the
      // site runs one sign-in code locally and on AWS, tested in the browser (issue 18). SRP stays allowed to other clients.
      authFlows: { userSrp: true, userPassword: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO, ...(google ? [UserPoolClientIdentityProvider.GOOGLE] : [])],
      // Where the pool's hosted pages (sign-in with Google, when configured) return to: the license site.
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${config.siteUrl}/signed-in`],
        logoutUrls: [`${config.siteUrl}/sign-out`],
      },
    });
    if (google) this.client.node.addDependency(google);
  }
}
