import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { catalog } from '#lib/platform/catalog.js';
import { Catalog } from '@license-activation/contract/catalog-schema';
import { EventsOut } from './constructs/events-out.js';
import { KeyMaterial } from './constructs/key-material.js';
import { LicenseApi } from './constructs/license-api.js';
import { LicenseSite } from './constructs/license-site.js';
import { LicenseTable } from './constructs/license-table.js';
import { Monitoring } from './constructs/monitoring.js';
import { ServiceFunction } from './constructs/service-function.js';
import { TableStreamConsumer } from './constructs/table-stream-consumer.js';
import { UserDirectory } from './constructs/user-directory.js';
import { WebFirewall } from './constructs/web-firewall.js';
import { functionNeeds, leadingKeyPatterns, streamConsumerNames } from './function-permissions.js';
import type { FunctionName, FunctionNeeds } from './function-permissions.js';
import { acknowledgeAcceptedFindings } from './nag-suppressions.js';
import type { StageConfig } from './stage-config.js';

export interface LicenseActivationStackProps extends StackProps {
  readonly config: StageConfig;
}

/** One stage of the service: table, keys, functions, API, firewall and monitoring. */
export class LicenseActivationStack extends Stack {
  readonly table: LicenseTable;
  readonly keys: KeyMaterial;
  readonly functions: Readonly<Record<FunctionName, ServiceFunction>>;
  readonly api: LicenseApi;
  /** Alarms and the dashboard, in a nested stack: an alarm per function and failure takes room the stage needs under 500 resources. */
  readonly monitoringStack: NestedStack;
  readonly monitoring: Monitoring;
  readonly directory: UserDirectory;
  readonly eventsOut: EventsOut;
  /** The site, in a nested stack: a template holds at most 500 resources, and the rest of the stage needs its room. */
  readonly siteStack: NestedStack;
  readonly site: LicenseSite;
  /** What the site's distribution sends the API to prove a request came through it (web-firewall.ts). */
  readonly siteOriginSecret: Secret;

  constructor(scope: Construct, id: string, props: LicenseActivationStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new LicenseTable(this, 'Table', { config });
    this.keys = new KeyMaterial(this, 'Keys', { config });
    this.directory = new UserDirectory(this, 'People', { config });

    const functions = {} as Record<FunctionName, ServiceFunction>;
    for (const [name, needs] of Object.entries(functionNeeds) as [FunctionName, FunctionNeeds][]) {
      const fn = new ServiceFunction(this, `Fn-${name}`, { functionDir: name, config, ...(needs.timeoutSeconds ? { timeout: Duration.seconds(needs.timeoutSeconds) } : {}) });
      if (needs.table) fn.bindTable({ table: this.table, access: needs.table.access, leadingKeys: leadingKeyPatterns(needs.table.partitions) });
      if (needs.signingKey) {
        fn.bindSigningKey({ key: this.keys.signingKey, access: needs.signingKey, publishedKeyArns: this.keys.publishedKeyArns });
      }
      if (needs.secretBox) fn.bindSecretBox(this.keys.secretsKey);
      if (needs.userDirectory) fn.bindUserDirectory(this.directory);
      if (needs.siteUrl) fn.addEnvironment('SITE_URL', config.siteUrl);
      functions[name] = fn;
    }
    this.functions = functions;

    this.api = new LicenseApi(this, 'Api', { config, functions });
    // Expired licenses give their reseller budget back within 24 hours (API.md §8): hourly, so one failed run is harmless.
    new Rule(this, 'ReturnBudgetsSchedule', {
      description: 'Gives reseller budgets back the quantity of expired licenses',
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(functions['return-budgets'], { retryAttempts: 2 })],
    });
    // Read by CloudFormation only, as the distribution's origin header and the web ACL's match: no function reads it.
    this.siteOriginSecret = new Secret(this, 'SiteOriginSecret', {
      description: `Proves to the API of license-activation-${config.stage} that a request came through the license site's distribution`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    this.eventsOut = new EventsOut(this, 'EventsOut', {
      config,
      dispatcher: functions['webhook-dispatcher'],
    });
    const firewall = new WebFirewall(this, 'Firewall', { config, stage: this.api.restApi.deploymentStage, siteOriginSecret: this.siteOriginSecret });
    this.monitoringStack = new NestedStack(this, 'MonitoringStack', { description: `The alarms and dashboard of license-activation-${config.stage}` });
    this.monitoring = new Monitoring(this.monitoringStack, 'Monitoring', {
      config,
      restApi: this.api.restApi,
      functions,
      table: this.table,
      webAclName: firewall.webAclName,
    });

    // Each consumer of the table's stream (docs/ARCHITECTURE.md, "After a commit") behind its own event source mapping.
    for (const name of streamConsumerNames) {
      const { changes, maxLagSeconds } = functionNeeds[name].stream;
      new TableStreamConsumer(this, `Stream-${name}`, { config, name, fn: functions[name], table: this.table, changes, maxLag: Duration.seconds(maxLagSeconds), alarmTopic: this.monitoring.alarmTopic });
    }
    // The insights clock's tick every minute, whose change carries the time through the stream when nothing else is written.
    new Rule(this, 'InsightsClockSchedule', {
      description: "Writes the insights clock's tick, so that figures move on with the days when nothing else is written",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(functions['insights-stream'], { retryAttempts: 2 })],
    });

    this.siteStack = new NestedStack(this, 'SiteStack', { description: `The license site of license-activation-${config.stage}` });
    this.site = new LicenseSite(this.siteStack, 'Site', {
      config,
      restApi: this.api.restApi,
      siteOriginSecret: this.siteOriginSecret,
      siteDir: fileURLToPath(new URL('../site/dist/', import.meta.url)),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    new CfnOutput(this, 'SiteUrl', { value: `https://${this.site.distribution.distributionDomainName}/`, description: 'The license site, with the API under the same domain' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SigningKeyArn', { value: this.keys.signingKey.keyArn });
    new CfnOutput(this, 'SigningKeyAlias', { value: this.keys.signingKeyAlias.aliasName });
    new CfnOutput(this, 'SecretsKeyArn', { value: this.keys.secretsKey.keyArn });
    new CfnOutput(this, 'OpsRoleArn', { value: this.api.opsRole.roleArn, description: 'Assume to call /v1/admin/* with SigV4' });
    new CfnOutput(this, 'UserPoolId', { value: this.directory.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.directory.client.userPoolClientId });
    new CfnOutput(this, 'EventBusName', { value: this.eventsOut.bus.eventBusName, description: 'Every event of the service: route them with rules of your own (docs/DEPLOYMENT.md)' });
    new CfnOutput(this, 'EventBusArn', { value: this.eventsOut.bus.eventBusArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    // The catalog is code bundled into the functions, which use it unparsed. Parsing it here makes
    // `cdk synth` refuse an inconsistent catalog before any deployment.
    const products = Catalog.parse(catalog());
    new CfnOutput(this, 'CatalogProducts', { value: Object.keys(products).join(','), description: 'Products of the deployed catalog' });

    acknowledgeAcceptedFindings(this);
  }
}
