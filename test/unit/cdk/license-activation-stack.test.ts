import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { LicenseActivationStack } from '#cdk/license-activation-stack.js';
import { readStageConfig } from '#cdk/stage-config.js';
import type { StageName } from '#cdk/stage-config.js';
import { problemType } from '@license-activation/contract/problem';
import type { ErrorCode } from '@license-activation/contract/problem';
import { routes } from '@license-activation/contract/routes';
import { tableDefinition } from '#lib/data/table-definition.js';
import { functionNeeds, leadingKeyPatterns, streamConsumerNames } from '#cdk/function-permissions.js';
import type { FunctionName, StreamChanges } from '#cdk/function-permissions.js';

/** A resource of the synthesized template, as far as these tests read it. */
interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown> & { Environment?: { Variables: Record<string, unknown> } };
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
interface PolicyStatement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

/** The stack as `cdk synth -c stage=…` builds it, except that no function is bundled (esbuild would take ~30 s). */
function synthesize(stage: StageName, context: Record<string, string> = {}) {
  const app = new App({ context: { ...cdkJson.context, stage, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new LicenseActivationStack(app, `LicenseActivation-${stage}`, { config: readStageConfig(app.node) });
  return { stack, template: Template.fromStack(stack) };
}

function resources(template: Template, type: string): Record<string, TemplateResource> {
  return template.findResources(type) as Record<string, TemplateResource>;
}

function onlyResource(template: Template, type: string, properties: object = {}): [string, TemplateResource] {
  const found = Object.entries(template.findResources(type, { Properties: properties }) as Record<string, TemplateResource>);
  expect(found).toHaveLength(1);
  return found[0] as [string, TemplateResource];
}

const functionNamesOfRoutes = [...new Set(routes.map((route) => route.function))];
/** Beside the route table's: the API key authorizer, the hourly job, and the stream consumers (the webhook dispatcher also on a schedule, with the expiry notices, and its own invocations). */
const allFunctionNames = [...functionNamesOfRoutes, 'authorizer', 'return-budgets', ...streamConsumerNames];
/** Functions that outlive a request's 10 seconds. */
const longRunning: Record<string, number> = { 'webhook-dispatcher': 300 };
const readOnlyFunctions = ['health', 'list-customers', 'list-events', 'list-licenses', 'get-license', 'list-license-installations'];
const signingFunctions = ['start-trial', 'activate', 'heartbeat', 'get-installation', 'offline-activate', 'device-authorizations', 'device-approvals'];
const tableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

const expectedPerStage = {
  dev: { deletionPolicy: 'Delete', deletionProtection: false, retentionDays: 7 },
  prod: { deletionPolicy: 'Retain', deletionProtection: true, retentionDays: 90 },
} as const;

describe.each(['dev', 'prod'] as const)('LicenseActivationStack (%s)', (stage) => {
  let stack: LicenseActivationStack;
  let template: Template;
  const expected = expectedPerStage[stage];

  beforeAll(() => {
    ({ stack, template } = synthesize(stage));
  });

  const logicalIdOf = (type: string, properties: object) => onlyResource(template, type, properties)[0];
  /** The service's own functions; the CDK adds helpers of its own (site deployment, bucket clean-up). */
  const serviceFunctions = () =>
    Object.values(resources(template, 'AWS::Lambda::Function')).filter((fn) => String(fn.Properties.FunctionName ?? '').startsWith(`license-activation-${stage}-`));
  const tableId = () => logicalIdOf('AWS::DynamoDB::Table', {});
  const signingKeyId = () => logicalIdOf('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256' });
  const secretsKeyId = () => logicalIdOf('AWS::KMS::Key', { EnableKeyRotation: true });
  const functionOf = (name: string) => onlyResource(template, 'AWS::Lambda::Function', { FunctionName: `license-activation-${stage}-${name}` });

  /** Every statement of the policies attached to a function's role. */
  function statementsOf(name: string): PolicyStatement[] {
    const role = functionOf(name)[1].Properties.Role as { 'Fn::GetAtt': [string, string] };
    const roleId = role['Fn::GetAtt'][0];
    return Object.values(resources(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
  }
  const actionsOf = (name: string) => statementsOf(name).flatMap((statement) => [statement.Action].flat());
  const resourcesOfAction = (name: string, action: string) =>
    statementsOf(name)
      .filter((statement) => [statement.Action].flat().includes(action))
      .flatMap((statement) => [statement.Resource].flat());

  describe('table', () => {
    it('has the keys, indexes and TTL attribute of tableDefinition, on demand, with PITR and encryption', () => {
      const keyAttributes = [tableDefinition.partitionKey, tableDefinition.sortKey, 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: `license-activation-${stage}`,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
        GlobalSecondaryIndexes: ['gsi1', 'gsi2', 'gsi3'].map((indexName) => ({
          IndexName: indexName,
          KeySchema: [
            { AttributeName: `${indexName}pk`, KeyType: 'HASH' },
            { AttributeName: `${indexName}sk`, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it(`is ${expected.deletionPolicy === 'Retain' ? 'retained and protected from deletion' : 'deleted with the stack'} in ${stage}`, () => {
      const [, table] = onlyResource(template, 'AWS::DynamoDB::Table');
      expect(table.DeletionPolicy).toBe(expected.deletionPolicy);
      expect(table.UpdateReplacePolicy).toBe(expected.deletionPolicy);
      expect(table.Properties.DeletionProtectionEnabled).toBe(expected.deletionProtection);
    });
  });

  describe('keys and secret', () => {
    it('signs with an ECC_NIST_P256 SIGN_VERIFY key behind the stage alias', () => {
      template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: `alias/license-activation-${stage}-signing`,
        TargetKeyId: { 'Fn::GetAtt': [signingKeyId(), 'Arn'] },
      });
    });

    it('seals license keys with a rotating symmetric key behind the stage alias', () => {
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: `alias/license-activation-${stage}-secrets`,
        TargetKeyId: { 'Fn::GetAtt': [secretsKeyId(), 'Arn'] },
      });
    });

    it("keeps no ops API key: its one secret proves the site's origin, and no function may read it", () => {
      const [secretId] = onlyResource(template, 'AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 48 }) });
      const policies = JSON.stringify(resources(template, 'AWS::IAM::Policy'));
      expect(policies).not.toContain('secretsmanager:GetSecretValue');
      expect(policies).not.toContain(`"${secretId}"`);
    });

    it(`${expected.deletionPolicy === 'Retain' ? 'retains' : 'deletes'} both keys with the stack`, () => {
      const kept = Object.values(resources(template, 'AWS::KMS::Key'));
      expect(kept.map((resource) => resource.DeletionPolicy)).toEqual([expected.deletionPolicy, expected.deletionPolicy]);
    });
  });

  describe('functions', () => {
    it('creates one function per function of the route table, plus the authorizer, the budget job and the stream consumers', () => {
      const names = serviceFunctions().map((fn) => fn.Properties.FunctionName);
      expect(names.toSorted()).toEqual(allFunctionNames.map((name) => `license-activation-${stage}-${name}`).toSorted());
    });

    it('runs every function on Node 24 and arm64 with ESM, X-Ray, source maps, 512 MB and 10 s (jobs and the dispatcher 5 minutes)', () => {
      expect(serviceFunctions().length).toBe(allFunctionNames.length);
      for (const fn of serviceFunctions()) expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        Timeout: longRunning[String(fn.Properties.FunctionName).replace(`license-activation-${stage}-`, '')] ?? 10,
        Environment: {
          Variables: {
            NODE_OPTIONS: '--enable-source-maps',
            SIGNER: 'kms',
            SECRET_BOX: 'kms',
            TOKEN_ISSUER: 'license-activation',
            POWERTOOLS_SERVICE_NAME: 'license-activation',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_NAMESPACE: `LicenseActivation/${stage}`,
          },
        },
      });
    });

    it(`logs every function to its own log group kept ${expected.retentionDays} days`, () => {
      const logGroups = resources(template, 'AWS::Logs::LogGroup');
      for (const name of allFunctionNames) {
        const logGroupRef = (functionOf(name)[1].Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(logGroups[logGroupRef]?.Properties.RetentionInDays).toBe(expected.retentionDays);
      }
    });

    it('sets the table and key variables of the functions that use them, and only theirs', () => {
      const variables = (name: string) => functionOf(name)[1].Properties.Environment?.Variables ?? {};
      expect(variables('activate')).toMatchObject({
        TABLE_NAME: { Ref: tableId() },
        SIGNING_KEY_ID: { 'Fn::GetAtt': [signingKeyId(), 'Arn'] },
      });
      expect(variables('issue-license')).toMatchObject({ ENCRYPTION_KEY_ID: { 'Fn::GetAtt': [secretsKeyId(), 'Arn'] } });
      expect(variables('public-documents')).toMatchObject({ SIGNING_KEY_ID: { 'Fn::GetAtt': [signingKeyId(), 'Arn'] } });
      expect(variables('public-documents')).not.toHaveProperty('TABLE_NAME');
      expect(variables('health')).not.toHaveProperty('SIGNING_KEY_ID');
      for (const name of allFunctionNames) expect(Object.keys(variables(name)).filter((variable) => variable.startsWith('OPS_API_KEY'))).toEqual([]);
      expect(variables('list-licenses')).not.toHaveProperty('ENCRYPTION_KEY_ID');
    });
  });

  describe('permissions', () => {
    /** What an event source mapping reads the table's stream with (granted on the stream, not the table). */
    const streamActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
    const isStreamStatement = (statement: PolicyStatement) =>
      [statement.Action].flat().some((action) => streamActions.includes(action)) &&
      [statement.Action].flat().filter((action) => action.startsWith('dynamodb:')).every((action) => streamActions.includes(action));
    const tableStatementsOf = (name: string) =>
      statementsOf(name).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')) && !isStreamStatement(statement));

    it("lets only the stream's consumers read the table's stream, and only that stream", () => {
      const readers = allFunctionNames.filter((name) => statementsOf(name).some(isStreamStatement));
      expect(streamConsumerNames.toSorted()).toEqual(['insights-stream', 'webhook-dispatcher']);
      expect(readers.toSorted()).toEqual([...streamConsumerNames].toSorted());
      for (const name of streamConsumerNames) {
        const onStream = statementsOf(name).filter(isStreamStatement).flatMap((statement) => [statement.Resource].flat());
        for (const resource of onStream) expect([{ 'Fn::GetAtt': [tableId(), 'StreamArn'] }, '*']).toContainEqual(resource);
      }
    });

    it.each(allFunctionNames)('limits %s to the table partitions it owns (dynamodb:LeadingKeys), for every table action', (name) => {
      const needs = functionNeeds[name as FunctionName];
      const statements = tableStatementsOf(name);
      if (!('table' in needs)) {
        expect(statements).toEqual([]);
        return;
      }
      expect(statements).toHaveLength(1);
      expect(statements[0]?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeyPatterns(needs.table.partitions) } });
    });

    it('grants no Scan and nothing table-wide to any function', () => {
      for (const name of allFunctionNames) {
        const actions = tableStatementsOf(name).flatMap((statement) => [statement.Action].flat());
        expect(actions.filter((action) => action === 'dynamodb:Scan' || action.endsWith(':*') || action === 'dynamodb:DescribeTable'), name).toEqual([]);
      }
    });

    it('keeps the anonymous routes to their own items: registration cannot touch licenses or installations, offline activation no API key', () => {
      const patternsOf = (name: string) => tableStatementsOf(name).flatMap((statement) => [statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']].flat());
      expect(patternsOf('register-account')).toEqual(['ACCOUNT#*', 'APIKEY#*', 'EMAIL#*', 'REGISTRATIONS_FROM#*']);
      expect(patternsOf('offline-activate')).not.toContain('APIKEY#*');
      expect(patternsOf('offline-activate')).not.toContain('IDEMPOTENCY#*');
      // The authorizer writes only a key's lastUsedAt (its lookup and its listing), at most once an hour.
      expect(patternsOf('authorizer')).toEqual(['APIKEY#*', 'ACCOUNT#*']);
    });

    it.each(readOnlyFunctions)('gives %s no table write action', (name) => {
      expect(actionsOf(name)).toContain('dynamodb:GetItem');
      expect(actionsOf(name).filter((action) => tableWriteActions.includes(action))).toEqual([]);
    });

    it('lets only the token-issuing functions sign, and only with the signing key', () => {
      const signers = allFunctionNames.filter((name) => actionsOf(name).includes('kms:Sign'));
      expect(signers.toSorted()).toEqual(signingFunctions.toSorted());
      for (const name of signingFunctions) expect(resourcesOfAction(name, 'kms:Sign')).toEqual([{ 'Fn::GetAtt': [signingKeyId(), 'Arn'] }]);
    });

    it('lets public-documents read the public key, and nothing else beyond its logs and traces', () => {
      expect(actionsOf('public-documents').toSorted()).toEqual([
        'kms:GetPublicKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    it('lets only the functions that keep secrets sealed encrypt and decrypt, and only with the secrets key', () => {
      const sealers = allFunctionNames.filter((name) => actionsOf(name).some((action) => ['kms:Encrypt', 'kms:Decrypt'].includes(action)));
      expect(sealers.toSorted()).toEqual(['issue-license', 'webhook-dispatcher', 'webhooks']);
      for (const name of sealers) expect(resourcesOfAction(name, 'kms:Decrypt')).toEqual([{ 'Fn::GetAtt': [secretsKeyId(), 'Arn'] }]);
    });

    it('lets no function read any secret: ops hold no bearer key on AWS', () => {
      const readers = allFunctionNames.filter((name) => actionsOf(name).some((action) => action.startsWith('secretsmanager:')));
      expect(readers).toEqual([]);
    });
  });

  describe('API', () => {
    /** Each method of the REST API as path, HTTP method, authorization and integrated function. */
    function methods() {
      const apiResources = resources(template, 'AWS::ApiGateway::Resource');
      const pathOf = (resourceId: unknown): string => {
        const ref = (resourceId as { Ref?: string }).Ref;
        const resource = ref === undefined ? undefined : apiResources[ref];
        return resource ? `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}` : '';
      };
      return Object.values(resources(template, 'AWS::ApiGateway::Method')).map(({ Properties: method }) => ({
        route: `${String(method.HttpMethod)} ${pathOf(method.ResourceId)}`,
        authorizationType: method.AuthorizationType,
        integration: method.Integration as { Type: string; Uri: unknown; IntegrationResponses?: Array<{ ResponseTemplates?: Record<string, string> }> },
      }));
    }

    it('answers /v1/admin/* to the ops role alone, by the resource policy, and any route to anyone else', () => {
      const [opsRoleId] = onlyResource(template, 'AWS::IAM::Role', { RoleName: `license-activation-${stage}-ops` });
      const [, api] = onlyResource(template, 'AWS::ApiGateway::RestApi');
      const statements = (api.Properties.Policy as { Statement: PolicyStatement[] }).Statement;
      expect(statements).toEqual([
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        {
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'execute-api:Invoke',
          Resource: 'execute-api:/*/*/v1/admin/*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [opsRoleId, 'Arn'] } } },
        },
      ]);
    });

    it('gives every route ops share with other principals an IAM-authorized twin under /v1/admin/', () => {
      const admin = methods().filter(({ route }) => !route.startsWith('ANY ') && route.split(' ')[1]?.startsWith('/v1/admin/'));
      expect(admin.every(({ authorizationType }) => authorizationType === 'AWS_IAM')).toBe(true);
      expect(admin.map(({ route }) => route)).toEqual(expect.arrayContaining([
        'POST /v1/admin/licenses',
        'GET /v1/admin/licenses',
        'GET /v1/admin/licenses/{licenseId}',
        'POST /v1/admin/licenses/{licenseId}/suspend',
        'POST /v1/admin/licenses/{licenseId}/reinstate',
        'POST /v1/admin/licenses/{licenseId}/revoke',
        'GET /v1/admin/licenses/{licenseId}/events',
        'GET /v1/admin/customers',
        'GET /v1/admin/customers/{customerId}/events',
        'DELETE /v1/admin/installations/{installationId}/activations/{licenseId}',
        'GET /v1/admin/installations/{installationId}',
      ]));
    });

    it('has exactly one method per route of the route table, and a catch-all per path', () => {
      const catchAlls = [...new Set(routes.map((route) => route.path))].map((path) => `ANY ${path}`);
      expect(methods().map(({ route }) => route).toSorted()).toEqual([...routes.map((route) => `${route.method} ${route.path}`), ...catchAlls].toSorted());
    });

    it.each([...new Set(routes.map((route) => route.path))])("answers the other methods of %s with 404 NOT_FOUND and its Allow list, from a mock integration", (path) => {
      const allowed = routes.filter((route) => route.path === path).map((route) => route.method).join(', ');
      const catchAll = methods().find(({ route }) => route === `ANY ${path}`);
      expect(catchAll).toMatchObject({ authorizationType: 'NONE', integration: { Type: 'MOCK' } });
      expect(catchAll?.integration).toMatchObject({
        IntegrationResponses: [
          {
            StatusCode: '404',
            ResponseParameters: { 'method.response.header.Allow': `'${allowed}'`, 'method.response.header.Content-Type': "'application/problem+json'" },
          },
        ],
      });
      const answer = catchAll?.integration.IntegrationResponses?.[0]?.ResponseTemplates?.['application/json'];
      expect(JSON.parse(answer ?? '{}')).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
        detail: `no route for this method: this path takes ${allowed}`,
        requestId: '$context.requestId',
      });
    });

    it.each(routes.map((route) => [route.id, route] as const))('authorizes %s as its authentication kind says', (_id, route) => {
      const expectedType = { iam: 'AWS_IAM', 'api-key': 'CUSTOM', none: 'NONE', installation: 'NONE', 'installation-or-api-key': 'NONE' }[
        route.authentication
      ];
      const method = methods().find(({ route: name }) => name === `${route.method} ${route.path}`);
      expect(method?.authorizationType).toBe(expectedType);
      expect(method?.integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method?.integration.Uri)).toContain(`"${functionOf(route.function)[0]}"`);
    });

    it('authorizes API keys with the authorizer function, by the Authorization header, cached 60 seconds: a revoked key is refused within a minute', () => {
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 60,
      });
      const [, authorizer] = onlyResource(template, 'AWS::ApiGateway::Authorizer');
      expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(`"${functionOf('authorizer')[0]}"`);
    });

    it.each([
      ['UNAUTHORIZED', 401, 'UNAUTHENTICATED'],
      ['ACCESS_DENIED', 403, 'FORBIDDEN'],
      ['MISSING_AUTHENTICATION_TOKEN', 404, 'NOT_FOUND'],
      ['REQUEST_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
      ['THROTTLED', 429, 'RATE_LIMITED'],
      ['DEFAULT_5XX', 503, 'UNAVAILABLE'],
    ] as const)('answers %s with %d %s as a problem document', (responseType, status, code: ErrorCode) => {
      const [, response] = onlyResource(template, 'AWS::ApiGateway::GatewayResponse', { ResponseType: responseType });
      expect(response.Properties.StatusCode).toBe(String(status));
      expect(response.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.X-Request-Id': 'context.requestId',
      });
      const body = JSON.parse((response.Properties.ResponseTemplates as Record<string, string>)['application/json'] ?? '') as unknown;
      expect(body).toMatchObject({ type: problemType(code), status, code, title: expect.any(String), detail: expect.any(String), requestId: '$context.requestId' });
    });

    it.each(['THROTTLED', 'DEFAULT_5XX'])('tells the client when to retry after %s', (responseType) => {
      const [, response] = onlyResource(template, 'AWS::ApiGateway::GatewayResponse', { ResponseType: responseType });
      expect(response.Properties.ResponseParameters).toHaveProperty(['gatewayresponse.header.Retry-After'], expect.stringMatching(/^'\d+'$/));
    });

    it('throttles, traces and logs the stage as JSON', () => {
      const [, apiStage] = onlyResource(template, 'AWS::ApiGateway::Stage');
      expect(apiStage.Properties).toMatchObject({
        StageName: stage,
        TracingEnabled: true,
        MethodSettings: expect.arrayContaining([
          expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', MetricsEnabled: true, ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) }),
        ]),
      });
      const format = (apiStage.Properties.AccessLogSetting as { Format: string }).Format;
      expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    });
  });

  describe('signing routes', () => {
    it("throttles each signing route at the gateway, together within the stage's share of the KMS ECC quota", () => {
      const [, apiStage] = onlyResource(template, 'AWS::ApiGateway::Stage');
      const settings = apiStage.Properties.MethodSettings as { ResourcePath: string; HttpMethod: string; ThrottlingRateLimit: number; ThrottlingBurstLimit: number }[];
      const config = readStageConfig(new App({ context: { ...cdkJson.context, stage } }).node);
      // Every route that can answer a new token: the installation's own, an owner's rebuild (and its ops twin), trials, offline and sign-in activations.
      const signing = ['heartbeat', 'activate', 'getInstallation', 'restoreInstallation', 'adminRestoreInstallation', 'startTrial', 'offlineActivate', 'deviceToken', 'approveDeviceAuthorization'] as const;
      const throttled = signing.map((routeId) => {
        const route = routes.find((candidate) => candidate.id === routeId);
        const setting = settings.find((candidate) => candidate.ResourcePath === `/${(route?.path ?? '').replaceAll('/', '~1')}` && candidate.HttpMethod === route?.method);
        expect(setting, routeId).toMatchObject({ MetricsEnabled: true });
        expect(setting?.ThrottlingBurstLimit).toBeGreaterThanOrEqual(setting?.ThrottlingRateLimit ?? Infinity);
        return setting?.ThrottlingRateLimit ?? Infinity;
      });
      const total = throttled.reduce((sum, rate) => sum + rate, 0);
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(config.kmsEccRequestRate * config.signingQuotaShare);
    });
  });

  describe('firewall', () => {
    type Rule = { Name: string; Priority: number; Action?: unknown; Statement: Record<string, unknown> & { RateBasedStatement?: { AggregateKeyType: string; Limit: number; ScopeDownStatement?: unknown; ForwardedIPConfig?: unknown } } };
    const rulesOf = () => (onlyResource(template, 'AWS::WAFv2::WebACL', { Scope: 'REGIONAL' })[1].Properties.Rules as Rule[]).sort((a, b) => a.Priority - b.Priority);
    /** The statement that says a request came through the site's distribution: its secret origin header, exactly. */
    const viaSite = (rule: Rule) => JSON.stringify(rule).includes('"SingleHeader":{"Name":"x-site-origin-secret"}');

    it('limits every address on every path, whatever the route: the source address, or the viewer address of a request through the site', () => {
      const global = rulesOf().filter((rule) => rule.Statement.RateBasedStatement && !JSON.stringify(rule).includes('/v1/'));
      expect(global.map((rule) => [rule.Statement.RateBasedStatement?.AggregateKeyType, viaSite(rule)])).toEqual([
        ['IP', true],
        ['FORWARDED_IP', true],
      ]);
      expect(JSON.stringify(global[0]?.Statement.RateBasedStatement?.ScopeDownStatement)).toMatch(/^\{"NotStatement":\{"Statement":\{"ByteMatchStatement"/);
      expect(global[1]?.Statement.RateBasedStatement).toMatchObject({ ForwardedIPConfig: { HeaderName: 'x-viewer-address', FallbackBehavior: 'NO_MATCH' }, ScopeDownStatement: { ByteMatchStatement: expect.anything() } });
      expect(global[0]?.Statement.RateBasedStatement?.Limit).toBe(global[1]?.Statement.RateBasedStatement?.Limit);
      for (const rule of global) expect(JSON.stringify(rule)).toContain('"ResponseCode":429');
    });

    it("believes a request came through the site only with the distribution's secret, and blocks any that brings WAF's own mark", () => {
      const [secretId] = onlyResource(template, 'AWS::SecretsManager::Secret');
      const rules = rulesOf();
      const forged = rules.findIndex((rule) => rule.Name === 'no-forged-waf-headers');
      const mark = rules.findIndex((rule) => rule.Name === 'mark-site-origin');
      expect(forged).toBeGreaterThanOrEqual(0);
      expect(forged).toBeLessThan(mark);
      expect(rules[forged]).toMatchObject({ Action: { Block: {} }, Statement: { ByteMatchStatement: { PositionalConstraint: 'STARTS_WITH', SearchString: 'x-amzn-waf-', FieldToMatch: { Headers: { MatchScope: 'KEY' } } } } });
      expect(rules[mark]).toMatchObject({ Action: { Count: { CustomRequestHandling: { InsertHeaders: [{ Name: 'site-origin', Value: 'true' }] } } } });
      expect(JSON.stringify(rules[mark])).toContain('{{resolve:secretsmanager:');
      expect(JSON.stringify(rules[mark])).toContain(`"${secretId}"`);
    });

    it('attaches a web ACL with the AWS common rules and a per-IP rate limit on activation, trial, offline and registration paths', () => {
      const [aclId, acl] = onlyResource(template, 'AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
      const rules = JSON.stringify(acl.Properties.Rules);
      expect(rules).toContain('"AWSManagedRulesCommonRuleSet"');
      for (const path of ['/v1/activations', '/v1/trials', '/v1/offline-activations', '/v1/accounts/register']) expect(rules).toContain(`"${path}"`);
      expect(rules).toContain('"ResponseCode":429');
      // The contract accepts bodies up to 64 KiB; the common rules alone would block them above 8 KB.
      expect(rules).toContain('{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}');
      const [stageId] = onlyResource(template, 'AWS::ApiGateway::Stage');
      const [, association] = onlyResource(template, 'AWS::WAFv2::WebACLAssociation');
      expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
      expect(JSON.stringify(association.Properties.ResourceArn)).toContain(`"${stageId}"`);
    });
  });

  describe('people (API.md §7)', () => {
    it('keeps a user pool of verified emails with a strong password policy and optional TOTP', () => {
      const [, pool] = onlyResource(template, 'AWS::Cognito::UserPool');
      expect(pool.Properties).toMatchObject({
        AutoVerifiedAttributes: ['email'],
        UsernameAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
        UserPoolTier: stage === 'prod' ? 'PLUS' : 'ESSENTIALS',
        DeletionProtection: expected.deletionProtection ? 'ACTIVE' : 'INACTIVE',
      });
      expect(pool.DeletionPolicy).toBe(expected.deletionPolicy);
    });

    it("has one public app client: no secret, the site's password sign-in and SRP, 30-day refresh tokens, the site's callback and sign-out URLs", () => {
      const [, client] = onlyResource(template, 'AWS::Cognito::UserPoolClient');
      expect(client.Properties).toMatchObject({
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlows: ['code'],
        CallbackURLs: ['https://licenses.example.com/signed-in'],
        LogoutURLs: ['https://licenses.example.com/sign-out'],
        RefreshTokenValidity: 43200,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        SupportedIdentityProviders: ['COGNITO'],
      });
      expect(resources(template, 'AWS::Cognito::UserPoolIdentityProvider')).toEqual({});
    });

    it('tells the pool and client to the functions that authenticate people or publish the sign-in settings, and only to them', () => {
      const [poolId] = onlyResource(template, 'AWS::Cognito::UserPool');
      const [clientId] = onlyResource(template, 'AWS::Cognito::UserPoolClient');
      const variables = (name: string) => functionOf(name)[1].Properties.Environment?.Variables ?? {};
      for (const name of ['authorizer', 'public-documents', 'activate', 'release-activation', 'get-installation']) {
        expect(variables(name)).toMatchObject({ USER_POOL_ID: { Ref: poolId }, USER_POOL_CLIENT_ID: { Ref: clientId } });
      }
      expect(variables('heartbeat')).not.toHaveProperty('USER_POOL_ID');
      expect(variables('device-authorizations')).toMatchObject({ SITE_URL: 'https://licenses.example.com' });
    });
  });

  describe("the table's stream", () => {
    it.each(streamConsumerNames)("puts %s behind an event source mapping of its own: only the changes its needs name, partial batch answers, bisection, bounded retries, then a queue", (name) => {
      const [functionId] = functionOf(name);
      const mappings = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).filter((mapping) => JSON.stringify(mapping.Properties.FunctionName).includes(`"${functionId}"`));
      expect(mappings).toHaveLength(1);
      const changes: StreamChanges = functionNeeds[name].stream.changes;
      const { partitionPrefixes = [], items = [], patterns: filterPatterns = [] } = changes;
      expect(mappings[0]?.Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [tableId(), 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
        FilterCriteria: { Filters: [...(partitionPrefixes.length > 0 ? [partitionPrefixes] : []), ...items, ...filterPatterns].map(() => ({ Pattern: expect.any(String) })) },
      });
      const patterns = JSON.stringify(mappings[0]?.Properties.FilterCriteria);
      for (const prefix of partitionPrefixes) expect(patterns).toContain(prefix);
      for (const item of items) expect(patterns).toContain(item.sk);
    });
  });

  describe('scheduled jobs', () => {
    it('gives expired licenses\' budgets back every hour, well within the 24 hours of API.md §8', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 hour)',
        Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('returnbudgets'), 'Arn'] } })]),
      });
    });
  });

  describe('events out', () => {
    const dispatcherName = () => `license-activation-${stage}-webhook-dispatcher`;

    it('puts every event on the stage\'s EventBus, which only the dispatcher may put on', () => {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: `license-activation-${stage}` });
      const putters = allFunctionNames.filter((name) => actionsOf(name).includes('events:PutEvents'));
      expect(putters).toEqual(['webhook-dispatcher']);
      expect(functionOf('webhook-dispatcher')[1].Properties.Environment?.Variables).toHaveProperty('EVENT_BUS_NAME');
      expect(functionOf('webhooks')[1].Properties.Environment?.Variables).not.toHaveProperty('EVENT_BUS_NAME');
    });

    it('feeds the dispatcher the table stream, filtered to what it acts on, with partial batch failures, bisection, bounded retries and a queue for what it gives up', () => {
      const mapping = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).find((candidate) => JSON.stringify(candidate.Properties.FunctionName).includes(`"${functionOf('webhook-dispatcher')[0]}"`));
      expect(mapping?.Properties).toMatchObject({
        FunctionName: { Ref: functionOf('webhook-dispatcher')[0] },
        EventSourceArn: { 'Fn::GetAtt': [tableId(), 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      // No batching window: the first attempts start within 5 seconds of their events' commits.
      expect(mapping?.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
      const patterns = (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((filter) => JSON.parse(filter.Pattern) as unknown);
      // Events entering the outbox, deliveries their owner asked for, API keys' lookup items removed: no other partition's writes.
      expect(patterns).toEqual([
        { eventName: ['INSERT'], dynamodb: { NewImage: { gsi3pk: { S: ['EVENTS_UNDISPATCHED'] } } } },
        { dynamodb: { NewImage: { entity: { S: ['webhookDelivery'] }, requested: { S: [{ exists: true }] } } } },
        { eventName: ['REMOVE'], dynamodb: { Keys: { pk: { S: [{ prefix: 'APIKEY#' }] } } } },
      ]);
    });

    it('lets the dispatcher invoke itself, and no other function', () => {
      const invoked = resourcesOfAction('webhook-dispatcher', 'lambda:InvokeFunction');
      expect(JSON.stringify(invoked)).toContain(`:function:${dispatcherName()}`);
      expect(allFunctionNames.filter((name) => actionsOf(name).includes('lambda:InvokeFunction'))).toEqual(['webhook-dispatcher']);
    });

    it('sweeps every minute, expiry notices first, and returns budgets every hour', () => {
      for (const [rate, name] of [['rate(1 minute)', 'webhookdispatcher'], ['rate(1 hour)', 'returnbudgets']] as const) {
        template.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: rate,
          Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp(name), 'Arn'] } })]),
        });
      }
    });
  });

  describe('monitoring', () => {
    // Alarms and the dashboard live in a nested stack of their own; the stream consumers' alarms stay beside their mappings.
    let monitoring: Template;
    beforeAll(() => {
      monitoring = Template.fromStack(stack.monitoringStack);
    });

    it('sends every alarm to the alarm topic', () => {
      const [topicId] = onlyResource(monitoring, 'AWS::SNS::Topic');
      const alarms = Object.values(resources(monitoring, 'AWS::CloudWatch::Alarm'));
      // 5 of the service, errors and throttles per 10 functions, 2 of events out, and the trials anomaly alarm.
      expect(alarms).toHaveLength(5 + 2 * Math.ceil(allFunctionNames.length / 10) + 2 + 1);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      // Each stream consumer's lag and set-aside records, to the same topic (the nested stack's output).
      const consumerAlarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm'));
      expect(consumerAlarms).toHaveLength(2 * streamConsumerNames.length);
      for (const alarm of consumerAlarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toMatch(/MonitoringStack.*Outputs\..*AlarmTopic/);
    });

    it.each(streamConsumerNames.flatMap((name) => [`${name}-lag`, `${name}-set-aside`]))('has the %s alarm beside its event source mapping', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `license-activation-${stage}-${name}` });
    });

    it.each([
      'api-5xx-rate', 'api-latency-p99', 'table-throttles', 'table-system-errors', 'kms-failures', 'functions-1-errors', 'functions-1-throttles',
      'webhook-deliveries-failing', 'events-missed-by-stream',
    ])(
      'has the %s alarm',
      (name) => {
        monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `license-activation-${stage}-${name}` });
      },
    );

    it("watches every function's errors and throttles, 10 functions to an alarm", () => {
      const watched = (suffix: string) =>
        Object.values(resources(monitoring, 'AWS::CloudWatch::Alarm'))
          .filter((alarm) => String(alarm.Properties.AlarmName).startsWith(`license-activation-${stage}-functions-`) && String(alarm.Properties.AlarmName).endsWith(suffix))
          .flatMap((alarm) => (alarm.Properties.Metrics as { MetricStat?: { Metric: { Dimensions: { Value: unknown }[] } } }[]).flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric.Dimensions[0]?.Value] : [])));
      // In the nested stack each function's name arrives as a parameter named after the function's construct (`Fn<name>`).
      for (const suffix of ['-errors', '-throttles']) {
        const refs = watched(suffix).map((value) => (value as { Ref: string }).Ref);
        expect(refs).toHaveLength(allFunctionNames.length);
        for (const name of allFunctionNames) expect(refs.filter((ref) => new RegExp(`Fn${name.replaceAll('-', '')}[0-9A-F]{8}Ref$`).test(ref)), name).toHaveLength(1);
      }
    });

    it('alarms on the signing and secret box failures the functions count, with no log metric filter', () => {
      const [, alarm] = onlyResource(monitoring, 'AWS::CloudWatch::Alarm', { AlarmName: `license-activation-${stage}-kms-failures` });
      const queried = (alarm.Properties.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown } } }[])
        .flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []));
      expect(queried).toEqual(
        ['SigningFailures', 'SecretBoxFailures'].map((name) => ({
          Namespace: `LicenseActivation/${stage}`,
          MetricName: name,
          Dimensions: [{ Name: 'service', Value: 'license-activation' }],
        })),
      );
      expect(resources(template, 'AWS::Logs::MetricFilter')).toEqual({});
      expect(resources(monitoring, 'AWS::Logs::MetricFilter')).toEqual({});
    });

    it('alarms on TrialsStarted above its anomaly band, to the alarm topic', () => {
      const [, alarm] = onlyResource(monitoring, 'AWS::CloudWatch::Alarm', { AlarmName: `license-activation-${stage}-trials-started-anomaly` });
      const [topicId] = onlyResource(monitoring, 'AWS::SNS::Topic');
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanUpperThreshold',
        ThresholdMetricId: 'band',
        AlarmActions: [{ Ref: topicId }],
        Metrics: [
          { Id: 'trials', MetricStat: { Metric: { MetricName: 'TrialsStarted', Namespace: `LicenseActivation/${stage}` }, Stat: 'Sum' } },
          { Id: 'band', Expression: 'ANOMALY_DETECTION_BAND(trials, 2)' },
        ],
      });
    });

    it('builds the stage dashboard and outputs what ops need', () => {
      monitoring.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `license-activation-${stage}` });
      expect(Object.keys(template.findOutputs('*')).toSorted()).toEqual(
        [
          'AlarmTopicArn', 'ApiUrl', 'CatalogProducts', 'DashboardName', 'EventBusArn', 'EventBusName', 'OpsRoleArn', 'SecretsKeyArn', 'SigningKeyAlias', 'SigningKeyArn',
          'SiteUrl', 'TableName', 'UserPoolClientId', 'UserPoolId',
        ],
      );
      template.hasOutput('CatalogProducts', { Value: 'authserver,vault,modeler' });
    });
  });

  describe('the license site', () => {
    // The site lives in a nested stack of its own.
    let site: Template;
    beforeAll(() => {
      site = Template.fromStack(stack.siteStack);
    });

    it('keeps every template well inside the 500 resources CloudFormation allows', () => {
      const counts = [template, site, Template.fromStack(stack.monitoringStack)].map((one) => Object.keys(one.toJSON().Resources as object).length);
      // 477 in the stage's template with webhooks and insights (docs/DEPLOYMENT.md says where the next room comes from).
      expect(Math.max(...counts)).toBeLessThan(480);
    });

    it('keeps the site bucket private, readable by the distribution only through origin access control', () => {
      site.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bucket/' }),
      });
      site.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
      const policies = JSON.stringify(resources(site, 'AWS::S3::BucketPolicy'));
      expect(policies).toContain('cloudfront.amazonaws.com');
      expect(policies).toContain('AWS:SourceArn');
    });

    it("sends the API the viewer's address and the secret origin header the web ACL believes it by", () => {
      const [, distribution] = onlyResource(site, 'AWS::CloudFront::Distribution', {});
      const config = distribution.Properties.DistributionConfig as {
        CacheBehaviors: { TargetOriginId: string; FunctionAssociations?: { EventType: string; FunctionARN: unknown }[] }[];
        Origins: { Id: string; OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[];
      };
      const [functionId, viewerAddress] = onlyResource(site, 'AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Comment: "License API: the viewer's address to the origin" }) });
      expect(viewerAddress.Properties.FunctionCode).toContain("headers['x-viewer-address'] = { value: event.viewer.ip }");
      for (const behavior of config.CacheBehaviors) {
        expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
        const origin = config.Origins.find((candidate) => candidate.Id === behavior.TargetOriginId);
        expect(origin?.OriginCustomHeaders?.map((header) => header.HeaderName)).toEqual(['x-site-origin-secret']);
        expect(JSON.stringify(origin?.OriginCustomHeaders)).toContain('{{resolve:secretsmanager:');
      }
    });

    it("gives the site's answers CloudFront's request id as X-Request-Id, from a viewer-response function", () => {
      const [, distribution] = onlyResource(site, 'AWS::CloudFront::Distribution', {});
      const config = distribution.Properties.DistributionConfig as { DefaultCacheBehavior: { FunctionAssociations: { EventType: string; FunctionARN: unknown }[] } };
      const [functionId, requestId] = onlyResource(site, 'AWS::CloudFront::Function', {
        FunctionConfig: Match.objectLike({ Comment: "License site: CloudFront's request id as X-Request-Id", Runtime: 'cloudfront-js-2.0' }),
      });
      expect(config.DefaultCacheBehavior.FunctionAssociations).toContainEqual({ EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } });

      // Run as CloudFront runs it, on a viewer-response event of a page.
      const handler = runInNewContext(`${String(requestId.Properties.FunctionCode)}; handler`) as (event: object) => unknown;
      const response = { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' } }, cookies: {} };
      const event = { version: '1.0', context: { eventType: 'viewer-response', requestId: 'nWz1Ab-cD2eF==' }, viewer: { ip: '192.0.2.1' }, request: { method: 'GET', uri: '/index.html' }, response };

      expect(handler(event)).toEqual({ ...response, headers: { 'content-type': { value: 'text/html' }, 'x-request-id': { value: 'nWz1Ab-cD2eF==' } } });
    });

    it('serves the API under the same domain, uncached, and the site with strict security headers', () => {
      const [, distribution] = onlyResource(site, 'AWS::CloudFront::Distribution', {});
      const config = distribution.Properties.DistributionConfig as {
        DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown; ViewerProtocolPolicy: string };
        CacheBehaviors: { PathPattern: string; AllowedMethods: string[]; CachePolicyId: string }[];
      };
      expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern)).toEqual(['/v1/*', '/.well-known/*', '/health', '/openapi.json']);
      for (const behavior of config.CacheBehaviors) {
        expect(behavior.AllowedMethods).toContain('DELETE');
        // The managed CachingDisabled policy.
        expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      }
      const [, headers] = onlyResource(site, 'AWS::CloudFront::ResponseHeadersPolicy', {});
      const security = JSON.stringify((headers.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: unknown }).SecurityHeadersConfig);
      expect(security).toContain("script-src 'self'");
      expect(security).toContain("frame-ancestors 'none'");
      expect(security).not.toContain('unsafe-inline');
      expect(security).toContain('"FrameOption":"DENY"');
      expect(security).toMatch(/"AccessControlMaxAgeSec":63072000,"IncludeSubdomains":true/);
    });
  });

  it('passes the AwsSolutions checks, every accepted finding acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    expect(report.violations).toEqual([]);
  });
});

describe('LicenseActivationStack (context)', () => {
  it('adds sign-in with Google, through the pool\'s hosted domain, when googleClientId is given', () => {
    const { template } = synthesize('dev', { googleClientId: 'google-client', googleClientSecretName: 'license-activation/google', siteUrl: 'https://licenses.test/' });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', { ProviderName: 'Google', ProviderType: 'Google' });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'license-activation-dev' });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO', 'Google'],
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://licenses.test/signed-in'],
    });
  });

  it("serves the site on siteUrl's own domain, TLS 1.2 or later, when its certificate is given; cdk-nag clean", () => {
    const certificateArn = 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012';
    const { stack } = synthesize('prod', { siteUrl: 'https://licenses.test', siteCertificateArn: certificateArn });
    Template.fromStack(stack.siteStack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['licenses.test'],
        ViewerCertificate: { AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      }),
    });
    expect(new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack).violations).toEqual([]);
  });

  it('refuses googleClientId without the name of its secret', () => {
    expect(() => synthesize('dev', { googleClientId: 'google-client' })).toThrow(/googleClientSecretName/);
  });

  const formerKeyArn = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
  const formerKeyId = '66666666-7777-8888-9999-000000000000';

  it('publishes former signing keys in the JWKS without letting any function sign with them', () => {
    const { template } = synthesize('prod', { publishedKeyIds: `${formerKeyArn},${formerKeyId}` });
    const publisher = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'license-activation-prod-public-documents' } });
    const variables = (Object.values(publisher)[0] as TemplateResource).Properties.Environment?.Variables;
    expect(JSON.stringify(variables?.PUBLISHED_KEY_IDS)).toContain(formerKeyArn);
    expect(JSON.stringify(variables?.PUBLISHED_KEY_IDS)).toContain(`:key/${formerKeyId}`);
    const statementsOnFormerKey = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, TemplateResource>)
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement)
      .filter((statement) => JSON.stringify(statement.Resource).includes(formerKeyArn));
    expect(statementsOnFormerKey.map((statement) => statement.Action)).toEqual(['kms:GetPublicKey']);
  });

  it('rotates the signing key to a new key generation that the alias follows', () => {
    const { template } = synthesize('dev', { signingKeyGeneration: '2' });
    const keys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } });
    const [keyId] = Object.keys(keys);
    expect(keyId).toMatch(/^KeysSigningKeyV2/);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/license-activation-dev-signing', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('subscribes the alarm email to the alarm topic when one is given', () => {
    const { stack } = synthesize('dev', { alarmEmail: 'ops@example.com' });
    Template.fromStack(stack.monitoringStack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('refuses a KMS alias among the published keys', () => {
    expect(() => synthesize('dev', { publishedKeyIds: 'alias/old-signing' })).toThrow(/not aliases/);
  });
});
