import { Duration } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  RequestAuthorizer,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IAuthorizer, MethodOptions } from 'aws-cdk-lib/aws-apigateway';
import { AccountRootPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes } from '@license-activation/contract/routes';
import type { Authentication } from '@license-activation/contract/routes';
import { authorizerCacheSeconds, authorizerContextKeys } from '#lib/auth/authorizer-policy.js';
import type { FunctionName } from '../function-permissions.js';
import { gatewayProblems, gatewayResponseOptions, methodNotFound } from '../gateway-responses.js';
import { signingThrottles } from '../signing-throttles.js';
import type { StageConfig } from '../stage-config.js';

export interface LicenseApiProps {
  readonly config: StageConfig;
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
}

/** How API Gateway authenticates a route before its handler runs. */
function methodOptions(authentication: Authentication, apiKeyAuthorizer: IAuthorizer): MethodOptions {
  switch (authentication) {
    case 'iam':
      return { authorizationType: AuthorizationType.IAM };
    case 'api-key':
      return { authorizationType: AuthorizationType.CUSTOM, authorizer: apiKeyAuthorizer };
    // DPoP proofs are verified by the handler, and API Gateway cannot express "a proof or an API key".
    case 'none':
    case 'installation':
    case 'installation-or-api-key':
      return { authorizationType: AuthorizationType.NONE };
  }
}

/**
 * One JSON line per request. No header, body or query string: they can carry API keys, proofs and
 * license keys. The principal kind is what the API key authorizer resolved.
 */
const accessLogFields = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  principalKind: `$context.authorizer.${authorizerContextKeys.kind}`,
  wafResponseCode: '$context.wafResponseCode',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * The REST API, built from the contract's route table: one resource and method per route, each a
 * Lambda proxy integration of its function, an `ANY` method per resource that answers the other
 * methods with 404 and `Allow`, and gateway responses in the contract's problem format.
 */
export class LicenseApi extends Construct {
  readonly restApi: RestApi;
  readonly accessLogs: LogGroup;
  /** The one principal the `/v1/admin/` routes answer: ops assume it and sign with SigV4. */
  readonly opsRole: Role;

  constructor(scope: Construct, id: string, { config, functions }: LicenseApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy });
    // Who may assume it is the account's IAM policy (docs/DEPLOYMENT.md). It needs no policy of its own:
    // within one account the API's resource policy, which allows it, suffices for IAM-authorized routes.
    this.opsRole = new Role(this, 'OpsRole', {
      roleName: `license-activation-${config.stage}-ops`,
      description: `Ops of license-activation ${config.stage}: SigV4 on /v1/admin/*`,
      assumedBy: new AccountRootPrincipal(),
    });
    const adminRoutes = 'execute-api:/*/*/v1/admin/*';
    this.restApi = new RestApi(this, 'Api', {
      restApiName: `license-activation-${config.stage}`,
      description: `License activation API (${config.stage})`,
      endpointTypes: [EndpointType.REGIONAL],
      // Any caller may reach the API (each route authenticates as the contract says); the admin routes
      // answer the ops role alone: another principal of the account, however broad its own IAM policy
      // (an IAM allow of execute-api:Invoke would otherwise suffice in the same account), is denied.
      policy: new PolicyDocument({
        statements: [
          new PolicyStatement({ effect: Effect.ALLOW, principals: [new AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] }),
          new PolicyStatement({
            effect: Effect.DENY,
            principals: [new AnyPrincipal()],
            actions: ['execute-api:Invoke'],
            resources: [adminRoutes],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.opsRole.roleArn } },
          }),
        ],
      }),
      // Execution logging needs the account-wide API Gateway CloudWatch role; access logs cover our needs.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        methodOptions: Object.fromEntries(
          Object.entries(signingThrottles(config.kmsEccRequestRate, config.signingQuotaShare)).map(([method, throttle]) => [
            method,
            // A method's settings replace the stage's: metrics stay on.
            { metricsEnabled: true, throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit },
          ]),
        ),
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
    // RestApi adds an `Endpoint` output of its own; the stack outputs the URL once, as `ApiUrl`.
    this.restApi.node.tryRemoveChild('Endpoint');

    const apiKeyAuthorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      authorizerName: `license-activation-${config.stage}-api-key`,
      handler: functions.authorizer,
      identitySources: [IdentitySource.header('Authorization')],
      // A revoked API key is refused everywhere within this long (API.md §7: 60 seconds).
      resultsCacheTtl: Duration.seconds(authorizerCacheSeconds),
    });

    const integrations = new Map<FunctionName, LambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        // One invoke permission per function for this API, not one per method: the API's own methods
        // are the only integrations that can name the function, and one per route took the template to
        // 481 resources at 67 routes, close to CloudFormation's 500.
        integration = new LambdaIntegration(functions[route.function], { scopePermissionToMethod: false });
        integrations.set(route.function, integration);
      }
      this.restApi.root
        .resourceForPath(route.path)
        .addMethod(route.method, integration, { operationName: route.id, ...methodOptions(route.authentication, apiKeyAuthorizer) });
    }

    const methodsByPath = new Map<string, string[]>();
    for (const route of routes) methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
    for (const [path, allowed] of methodsByPath) {
      const { integration, options } = methodNotFound(allowed);
      this.restApi.root.resourceForPath(path).addMethod('ANY', integration, { operationName: 'methodNotFound', ...options });
    }

    for (const [type, error] of gatewayProblems) {
      this.restApi.addGatewayResponse(type.responseType, gatewayResponseOptions(type, error));
    }
  }
}
