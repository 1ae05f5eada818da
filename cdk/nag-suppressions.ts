import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { routes } from '@license-activation/contract/routes';
import type { LicenseApi } from './constructs/license-api.js';
import type { LicenseSite } from './constructs/license-site.js';
import type { ServiceFunction } from './constructs/service-function.js';
import type { UserDirectory } from './constructs/user-directory.js';
import { functionNeeds } from './function-permissions.js';
import type { FunctionName, FunctionNeeds } from './function-permissions.js';

export interface AcceptedFindingsScope {
  readonly table: Table;
  readonly functions: Readonly<Record<FunctionName, ServiceFunction>>;
  readonly api: LicenseApi;
  readonly directory: UserDirectory;
  readonly site: LicenseSite;
  readonly siteOriginSecret: Secret;
}

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * The AwsSolutions (cdk-nag) findings this service accepts, each on the narrowest construct and
 * with the reason. Anything else fails `cdk synth` and the CDK test.
 */
export function acknowledgeAcceptedFindings({ table, functions, api, directory, site, siteOriginSecret }: AcceptedFindingsScope): void {
  acknowledgeSiteFindings(site);
  acknowledge(
    siteOriginSecret,
    'AwsSolutions-SMG4',
    "CloudFormation writes the value into the distribution's origin header and the web ACL when the stack deploys, so a rotation takes effect only with the next deployment; rotate by putting a new value, then deploying (docs/DEPLOYMENT.md).",
  );
  const tableLogicalId: unknown = Stack.of(table).resolve((table.node.defaultChild as CfnTable).logicalId);
  for (const [name, fn] of Object.entries(functions) as [FunctionName, ServiceFunction][]) {
    if (fn.role) {
      acknowledge(
        fn.role,
        'AwsSolutions-IAM5[Resource::*]',
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) use "*": X-Ray has no resource-level permissions.',
      );
      const needs: FunctionNeeds = functionNeeds[name];
      if (needs.table) {
        acknowledge(
          fn.role,
          `AwsSolutions-IAM5[Resource::<${String(tableLogicalId)}.Arn>/index/*]`,
          "The table grant covers the table's own global secondary indexes (gsi1, gsi2), which the list queries read.",
        );
      }
    }
  }


  acknowledge(
    directory.userPool,
    'AwsSolutions-COG2',
    'MFA is offered (TOTP) but not required: people only manage the licenses of their own account, and a required second factor would turn away customers at sign-up; ops use IAM, never the pool.',
  );
  if (directory.stage !== 'prod') {
    acknowledge(
      directory.userPool,
      'AwsSolutions-COG8',
      'Threat protection (the Plus plan) is paid for in prod only; dev pools hold test people.',
    );
  }

  const restApi = api.restApi;
  acknowledge(
    restApi,
    'AwsSolutions-APIG2',
    "Every handler validates its request with the contract's zod schema and answers the contract's problem format; an API Gateway validator would answer in its own.",
  );
  acknowledge(
    restApi.deploymentStage,
    'AwsSolutions-APIG6',
    'Execution logging needs the account-wide API Gateway CloudWatch role, which a per-stage stack must not own; JSON access logs record every request, with authorizer and integration errors.',
  );
  for (const path of new Set(routes.map((route) => route.path))) {
    const catchAll = restApi.root.resourceForPath(path).node.findChild('ANY');
    const reason = `ANY ${path} only answers 404 for the methods the path does not take, from a mock integration: nothing to protect.`;
    acknowledge(catchAll, 'AwsSolutions-APIG4', reason);
    acknowledge(catchAll, 'AwsSolutions-COG4', reason);
  }
  for (const route of routes) {
    const method = restApi.root.resourceForPath(route.path).node.findChild(route.method);
    acknowledge(
      method,
      'AwsSolutions-COG4',
      "People's Cognito access tokens and accounts' API keys share the Authorization header, so the Lambda authorizer verifies both (a Cognito authorizer would refuse API keys); ops authenticate with IAM, installations with DPoP proofs.",
    );
    if (route.authentication === 'none') {
      acknowledge(method, 'AwsSolutions-APIG4', `${route.method} ${route.path} is public by contract (anyone may call it).`);
    } else if (route.authentication === 'installation' || route.authentication === 'installation-or-api-key') {
      acknowledge(
        method,
        'AwsSolutions-APIG4',
        `${route.method} ${route.path} authenticates in its handler: a DPoP proof signed by the installation's key, or an API key, which API Gateway cannot express.`,
      );
    }
  }
}

/** The license site's distribution, and the CDK-provided function that copies the built site into its bucket. */
function acknowledgeSiteFindings(site: LicenseSite): void {
  const { distribution } = site;
  if (!site.ownDomain) {
    acknowledge(
      distribution,
      'AwsSolutions-CFR4',
      "The distribution's own *.cloudfront.net certificate cannot set a minimum TLS version; with siteCertificateArn (the site's own domain) it is TLSv1.2_2021 (docs/DEPLOYMENT.md).",
    );
  }
  acknowledge(distribution, 'AwsSolutions-CFR1', 'Customers and resellers sign in from anywhere; the vendor sells worldwide.');
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    "A CloudFront web ACL must live in us-east-1, outside this regional stack; the API behind the distribution keeps its own regional web ACL, and the site's files are static.",
  );
  // BucketDeployment's copying function is a stack-level singleton, created by the CDK for the deployment only.
  for (const child of Stack.of(site).node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    acknowledge(child, 'AwsSolutions-L1', "The CDK's BucketDeployment picks the runtime of its own copying function.");
    acknowledge(child, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'Logging only, for the CDK-managed deployment function.');
    const bucketLogicalId = String(Stack.of(site).resolve((site.bucket.node.defaultChild as CfnBucket).logicalId));
    const wildcards = [
      'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:Abort*', 'Action::s3:DeleteObject*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', `Resource::<${bucketLogicalId}.Arn>/*`,
      // cloudfront:CreateInvalidation has no resource-level condition the CDK sets.
      'Resource::*',
    ];
    for (const finding of wildcards) {
      acknowledge(
        child,
        `AwsSolutions-IAM5[${finding}]`,
        "The CDK's BucketDeployment grants itself read on the CDK asset bucket, write on the site bucket and an invalidation, with wildcards of its own making; it runs only during deployments.",
      );
    }
  }
}
