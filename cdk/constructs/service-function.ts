import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';
import type { UserDirectory } from './user-directory.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Where the functions' metrics go: one namespace per stage, so dev traffic never shows on prod's dashboard. */
export const metricsNamespace = (stage: string): string => `LicenseActivation/${stage}`;
/** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of every metric the functions publish. */
export const serviceName = 'license-activation';

/**
 * The runtime of every function; `npm run bench` builds its bundles for the same target, and the
 * project's own scripts and tests run on the same major (the `node-linux-*` packages, README).
 * Node 24 on Lambda takes async handlers only (no callback, no `context.done`): middy's are.
 */
export const functionRuntime = Runtime.NODEJS_24_X;

/**
 * Export conditions esbuild resolves with: the workspace packages' TypeScript sources (so a deploy
 * needs no prior build), and `module`, which esbuild drops by default once any condition is named.
 */
export const bundleConditions = ['@license-activation/source', 'module'] as const;

/** How every function is bundled; `npm run bench` builds and measures bundles from these very options. */
export const functionBundling = {
  format: OutputFormat.ESM,
  // ESM builds of dependencies (the AWS SDK's dist-es) tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  // Bundle the AWS SDK instead of using the runtime's copy: the version that runs is the one we tested,
  // and the bundle starts faster than the runtime's SDK (docs/PERFORMANCE.md).
  externalModules: [],
  forceDockerBundling: false,
  esbuildArgs: { '--conditions': bundleConditions.join(',') },
} as const satisfies BundlingOptions;

/** The environment every function starts with, before the `bind*` methods add their resources. */
export function functionEnvironment(config: Pick<StageConfig, 'stage' | 'issuer' | 'logLevel'>): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    // On AWS every key lives in KMS; a function without a key binding fails loudly instead of using local keys.
    SIGNER: 'kms',
    SECRET_BOX: 'kms',
    TOKEN_ISSUER: config.issuer,
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(config.stage),
  };
}

/** What the data modules send (lib/data/): reads, then writes. Scan is never granted. */
export const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const tableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'] as const;

export interface ServiceFunctionProps {
  /** Folder under `functions/` whose `index.ts` exports `handler`. */
  readonly functionDir: string;
  readonly config: StageConfig;
  /** Defaults to 512 MB: more memory is also more CPU, which shortens KMS and crypto work. */
  readonly memorySize?: number;
  /** Defaults to 10 seconds, a request's budget; jobs and stream consumers take longer. */
  readonly timeout?: Duration;
}

/**
 * Every Lambda function of the service, with the defaults in one place: Node 24 on arm64, ESM,
 * minified with source maps, X-Ray, its own log group, Powertools settings. Permissions are added
 * with the `bind*` methods, each of which grants and sets the matching environment variable together.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const { functionDir, config } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: config.logRetention, removalPolicy: config.removalPolicy });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      functionName: `license-activation-${config.stage}-${functionDir}`,
      description: `${functionDir} (license activation, ${config.stage})`,
      entry: `${repositoryRoot}functions/${functionDir}/index.ts`,
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: `${repositoryRoot}package-lock.json`,
      runtime: functionRuntime,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: functionEnvironment(config),
      bundling: { ...functionBundling, mainFields: [...functionBundling.mainFields] },
    });
  }

  /**
   * Table access in the spirit of Powertools' `bindTable`: the grant and `TABLE_NAME` together. Item
   * actions on the table and its indexes, each limited by `dynamodb:LeadingKeys` to the function's
   * partitions. No Scan, and nothing without a key: `ForAllValues` would let a keyless request through.
   */
  bindTable({ table, access, leadingKeys }: { table: ITable; access: 'RO' | 'RW'; leadingKeys: readonly string[] }): void {
    const actions = [...tableReadActions, ...(access === 'RW' ? tableWriteActions : [])];
    this.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [table.tableArn, `${table.tableArn}/index/*`],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } },
      }),
    );
    this.addEnvironment('TABLE_NAME', table.tableName);
  }

  /**
   * `sign`: signs with the current key. `publish`: reads the public keys of the current key and of
   * the former keys the JWKS still lists (`PUBLISHED_KEY_IDS`), without being able to sign.
   */
  bindSigningKey({ key, access, publishedKeyArns }: { key: IKey; access: 'sign' | 'publish'; publishedKeyArns: readonly string[] }): void {
    if (access === 'sign') {
      key.grant(this, 'kms:Sign', 'kms:GetPublicKey');
    } else {
      key.grant(this, 'kms:GetPublicKey');
      if (publishedKeyArns.length > 0) {
        Grant.addToPrincipal({ grantee: this, actions: ['kms:GetPublicKey'], resourceArns: [...publishedKeyArns] });
        this.addEnvironment('PUBLISHED_KEY_IDS', publishedKeyArns.join(','));
      }
    }
    this.addEnvironment('SIGNING_KEY_ID', key.keyArn);
  }

  /** The symmetric key that seals secrets kept for a while: license keys for idempotent replays, webhook signing secrets. */
  bindSecretBox(key: IKey): void {
    key.grant(this, 'kms:Encrypt', 'kms:Decrypt');
    this.addEnvironment('ENCRYPTION_KEY_ID', key.keyArn);
  }

  /** The user pool whose access tokens it verifies (JWKS and GetUser need no IAM permission). */
  bindUserDirectory(directory: UserDirectory): void {
    this.addEnvironment('USER_POOL_ID', directory.userPool.userPoolId);
    this.addEnvironment('USER_POOL_CLIENT_ID', directory.client.userPoolClientId);
    this.addEnvironment('USER_POOL_REGION', Stack.of(directory).region);
  }
}
