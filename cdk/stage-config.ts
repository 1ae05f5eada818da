import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { defaultKmsEccRequestRate } from './signing-throttles.js';

export const stageNames = ['dev', 'prod'] as const;
export type StageName = (typeof stageNames)[number];

const logLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Everything that differs between stages, resolved once from CDK context (`-c key=value` or cdk.json). */
export interface StageConfig {
  readonly stage: StageName;
  /** Prod keeps its table, keys and secret when the stack or a resource is deleted; dev cleans up. */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  /** `iss` of every license token. */
  readonly issuer: string;
  readonly logLevel: LogLevel;
  /**
   * Bumped to rotate the signing key: a new generation is a new KMS key, and the alias moves to it.
   * See docs/DEPLOYMENT.md, "Rotate the signing key".
   */
  readonly signingKeyGeneration: number;
  /** Former signing keys (ARNs or key ids) whose public keys the JWKS keeps publishing after a rotation. */
  readonly publishedKeyIds: readonly string[];
  /** Stage-wide API Gateway throttling (requests per second, and the token bucket's size). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** WAF: requests per IP per 5 minutes on the activation, trial, offline-activation and registration paths. */
  readonly wafRateLimit: number;
  /** WAF: requests per IP per 5 minutes on any path. */
  readonly wafGlobalRateLimit: number;
  /** The account's KMS "Cryptographic operations (ECC) request rate" quota, and the share of it the signing routes may use (cdk/signing-throttles.ts). */
  readonly kmsEccRequestRate: number;
  readonly signingQuotaShare: number;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail: string | undefined;
  /** The license site: its `/activate` page takes user codes (`SITE_URL`), and it is where sign-in returns. */
  readonly siteUrl: string;
  /** An ACM certificate (in us-east-1) for `siteUrl`'s host: the distribution then answers on that domain, TLS 1.2 or later. */
  readonly siteCertificateArn: string | undefined;
  /** Sign-in with Google, when configured: the OAuth client, its secret's name in Secrets Manager, and the pool's hosted domain prefix. */
  readonly google: { readonly clientId: string; readonly clientSecretName: string; readonly domainPrefix: string } | undefined;
}

const stageDefaults: Record<StageName, Omit<StageConfig, 'stage' | 'issuer' | 'logLevel' | 'signingKeyGeneration' | 'publishedKeyIds' | 'alarmEmail' | 'siteUrl' | 'siteCertificateArn' | 'google'>> = {
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    logRetention: RetentionDays.ONE_WEEK,
    throttle: { rateLimit: 20, burstLimit: 40 },
    wafRateLimit: 100,
    wafGlobalRateLimit: 1000,
    kmsEccRequestRate: defaultKmsEccRequestRate,
    // A dev stage may share the account (and so the quota) with prod.
    signingQuotaShare: 0.1,
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    deletionProtection: true,
    logRetention: RetentionDays.THREE_MONTHS,
    throttle: { rateLimit: 200, burstLimit: 400 },
    wafRateLimit: 300,
    wafGlobalRateLimit: 3000,
    kmsEccRequestRate: defaultKmsEccRequestRate,
    // The rest is headroom for the other stage and for key rotation's verification checks.
    signingQuotaShare: 0.8,
  },
};

/** Context values come as strings from the command line and as JSON values from cdk.json. */
function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new TypeError(`context ${key} must be a string`);
}

function integer(node: Node, key: string, fallback: number, minimum = 1): number {
  const value = text(node, key);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < minimum) throw new TypeError(`context ${key} must be an integer of at least ${minimum}, not ${value}`);
  return parsed;
}

function oneOf<T extends string>(node: Node, key: string, allowed: readonly T[], fallback: T): T {
  const value = text(node, key) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new TypeError(`context ${key} must be one of ${allowed.join(', ')}, not ${value}`);
  return value as T;
}

/** A comma-separated string (`-c publishedKeyIds=a,b`) or a JSON array (cdk.json). */
function list(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return [];
  const items: unknown[] = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter(Boolean);
}

function googleSignIn(node: Node, stage: StageName): StageConfig['google'] {
  const clientId = text(node, 'googleClientId');
  if (clientId === undefined) return undefined;
  const clientSecretName = text(node, 'googleClientSecretName');
  if (clientSecretName === undefined) throw new TypeError('context googleClientId needs googleClientSecretName (a Secrets Manager secret holding the client secret)');
  return { clientId, clientSecretName, domainPrefix: text(node, 'signInDomainPrefix') ?? `license-activation-${stage}` };
}

export function readStageConfig(node: Node): StageConfig {
  const stage = oneOf(node, 'stage', stageNames, 'dev');
  const defaults = stageDefaults[stage];
  return {
    ...defaults,
    stage,
    issuer: text(node, 'issuer') ?? 'license-activation',
    logLevel: oneOf(node, 'logLevel', logLevels, 'INFO'),
    signingKeyGeneration: integer(node, 'signingKeyGeneration', 1),
    publishedKeyIds: list(node, 'publishedKeyIds'),
    throttle: {
      rateLimit: integer(node, 'throttleRateLimit', defaults.throttle.rateLimit),
      burstLimit: integer(node, 'throttleBurstLimit', defaults.throttle.burstLimit),
    },
    // WAF's smallest rate limit.
    wafRateLimit: integer(node, 'wafRateLimit', defaults.wafRateLimit, 10),
    wafGlobalRateLimit: integer(node, 'wafGlobalRateLimit', defaults.wafGlobalRateLimit, 10),
    kmsEccRequestRate: integer(node, 'kmsEccRequestRate', defaults.kmsEccRequestRate),
    alarmEmail: text(node, 'alarmEmail'),
    siteUrl: (text(node, 'siteUrl') ?? 'https://licenses.example.com').replace(/\/+$/, ''),
    siteCertificateArn: text(node, 'siteCertificateArn'),
    google: googleSignIn(node, stage),
  };
}
