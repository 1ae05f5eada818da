/**
 * Runtime settings, read from the environment once. Plain code rather than a zod schema,
 * so that the smallest functions (health, JWKS) do not pay for loading zod.
 */
export interface Config {
  readonly tableName: string;
  /** Set locally (DynamoDB Local); unset on AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /**
   * The access key id sent to `dynamodbEndpoint`: DynamoDB Local keeps one database per access key id,
   * and `npm start` gives its own a random one (docs/RELIABILITY.md, "DynamoDB Local and npm start").
   */
  readonly dynamodbAccessKeyId: string | undefined;
  readonly region: string;
  readonly tokenIssuer: string;
  readonly signer: 'kms' | 'local';
  /** KMS key (id, ARN or alias) that signs new tokens. */
  readonly signingKeyId: string | undefined;
  /** Further KMS keys whose public keys stay published in the JWKS (key rotation). */
  readonly publishedKeyIds: readonly string[];
  readonly secretBox: 'kms' | 'local';
  /** KMS symmetric key that encrypts license keys kept for idempotent replays. */
  readonly encryptionKeyId: string | undefined;
  readonly dataDir: string;
  /**
   * The service's public base URL (scheme, host, port, any stage or base path), which DPoP proofs name
   * in `htu`. `npm start` sets it; on AWS, unset, it is the domain and path API Gateway was called on.
   */
  readonly publicBaseUrl: string | undefined;
  /** Locally only: on Lambda it is ignored (lib/auth/ops-api-key.ts). */
  readonly opsApiKey: string | undefined;
  /** The user directory (a Cognito user pool) whose people may sign in; unset, no person is accepted. */
  readonly userPool: UserPoolConfig | undefined;
  /** Where people open the license site: sign-in activation sends them to its `/activate`. */
  readonly siteUrl: string;
  /**
   * Whether webhooks may go to `http://` on any port and to loopback addresses on any port: `npm start` and the tests
   * (`WEBHOOK_LOCAL_TARGETS=allow`), so that a developer receives on their own machine. Never inside Lambda.
   */
  readonly webhookLocalTargets: boolean;
  /** The stack's EventBridge bus every event is also put on; unset locally, where there is none. */
  readonly eventBusName: string | undefined;
}

export interface UserPoolConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** cognito-local's address under `npm start` and in tests; never set on AWS. */
  readonly endpoint: string | undefined;
}

/**
 * The user pool from `USER_POOL_ID`, `USER_POOL_CLIENT_ID`, `USER_POOL_REGION` and, locally,
 * `COGNITO_ENDPOINT`. A local directory signs with a key shipped inside cognito-local, so only a
 * loopback endpoint is accepted: tokens of a local issuer can never open a deployed stage.
 */
function userPoolFrom(env: NodeJS.ProcessEnv, region: string): UserPoolConfig | undefined {
  const userPoolId = env.USER_POOL_ID;
  const clientId = env.USER_POOL_CLIENT_ID;
  if (!userPoolId || !clientId) return undefined;
  const endpoint = env.COGNITO_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(endpoint)) {
    throw new TypeError('COGNITO_ENDPOINT must be a local directory (http://127.0.0.1:PORT)');
  }
  return { region: env.USER_POOL_REGION || region, userPoolId, clientId, endpoint };
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${name} must be one of ${allowed.join(', ')}`);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  return {
    tableName: env.TABLE_NAME || 'activations',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    dynamodbAccessKeyId: env.DYNAMODB_ACCESS_KEY_ID || undefined,
    region,
    tokenIssuer: env.TOKEN_ISSUER || 'license-activation',
    signer: oneOf('SIGNER', env.SIGNER, ['kms', 'local'], 'local'),
    signingKeyId: env.SIGNING_KEY_ID || undefined,
    publishedKeyIds: list(env.PUBLISHED_KEY_IDS),
    secretBox: oneOf('SECRET_BOX', env.SECRET_BOX, ['kms', 'local'], 'local'),
    encryptionKeyId: env.ENCRYPTION_KEY_ID || undefined,
    dataDir: env.DATA_DIR || '.data',
    publicBaseUrl: env.PUBLIC_BASE_URL || undefined,
    opsApiKey: env.OPS_API_KEY || undefined,
    userPool: userPoolFrom(env, region),
    siteUrl: (env.SITE_URL || env.PUBLIC_BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    webhookLocalTargets: env.WEBHOOK_LOCAL_TARGETS === 'allow' && !env.AWS_LAMBDA_FUNCTION_NAME,
    eventBusName: env.EVENT_BUS_NAME || undefined,
  };
}

let current: Config | undefined;

/** The process's configuration, read on first use (tests set the environment before that). */
export function config(): Config {
  current ??= readConfig();
  return current;
}

/** Forget the cached configuration: tests that change the environment call this. */
export function resetConfig(): void {
  current = undefined;
}
