import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  CfnAlarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { metricDimensions, metricNames } from '#lib/platform/metric-names.js';
import type { MetricName } from '#lib/platform/metric-names.js';
import type { FunctionName } from '../function-permissions.js';
import type { StageConfig } from '../stage-config.js';
import { metricsNamespace, serviceName } from './service-function.js';

export interface MonitoringProps {
  readonly config: StageConfig;
  readonly restApi: RestApi;
  readonly functions: Readonly<Record<FunctionName, LambdaFunction>>;
  readonly table: ITable;
  readonly webAclName: string;
}

const period = Duration.minutes(5);
/** An alarm's metric math sums at most 10 metrics. */
const functionsPerAlarm = 10;

/** The operations the data modules use; an alarm's metric math may sum at most 10 metrics. */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

/** KMS publishes no per-key error metric: its API usage shows in AWS/Usage (account-wide, all keys). */
const kmsCallCount = (operation: string) =>
  new Metric({
    namespace: 'AWS/Usage',
    metricName: 'CallCount',
    dimensionsMap: { Service: 'KMS', Type: 'API', Resource: operation, Class: 'None' },
    statistic: 'Sum',
    period,
    label: `KMS ${operation}`,
  });

/**
 * Alarms to an SNS topic, and a dashboard of the service's vital signs. KMS publishes no error
 * metric of its own: the functions count their failed calls to the signing and secret box keys
 * themselves, with the business counts, as EMF metrics (lib/platform/metric-names.ts).
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  /** On `TrialsStarted`: an anomaly-detection alarm, which the `Alarm` construct cannot express. */
  readonly trialsAnomaly: CfnAlarm;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, { config, restApi, functions, table, webAclName }: MonitoringProps) {
    super(scope, id);
    this.prefix = `license-activation-${config.stage}`;
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `License activation ${config.stage} alarms`, enforceSSL: true });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));

    const requests = restApi.metricCount({ period, statistic: 'Sum', label: 'requests' });
    const clientErrors = restApi.metricClientError({ period, statistic: 'Sum', label: '4xx' });
    const serverErrors = restApi.metricServerError({ period, statistic: 'Sum', label: '5xx' });
    const latency = (statistic: string) => restApi.metricLatency({ period, statistic, label: `latency ${statistic}` });
    // Below 20 requests a single failure is noise, not a rate.
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period,
      label: '5xx rate (%)',
    });
    const namespace = metricsNamespace(config.stage);
    const serviceMetric = (metricName: MetricName, label?: string) =>
      new Metric({ namespace, metricName, dimensionsMap: { service: serviceName }, statistic: 'Sum', period, label });
    // FILL: a period in which only one of the two kinds failed still adds up.
    const kmsFailures = new MathExpression({
      expression: 'FILL(signing, 0) + FILL(secretBox, 0)',
      usingMetrics: { signing: serviceMetric(metricNames.signingFailures), secretBox: serviceMetric(metricNames.secretBoxFailures) },
      period,
      label: 'KMS failures',
    });
    /** Every series the functions publish of a metric with these dimensions besides `service`: one line per value. */
    const everySeriesOf = (metricName: MetricName, dimensions: readonly string[]) =>
      new MathExpression({
        expression: `SEARCH('{${namespace},service,${dimensions.join(',')}} MetricName="${metricName}"', 'Sum', ${period.toSeconds()})`,
        usingMetrics: {},
        period,
        label: '',
      });
    const tableThrottles = table.metricThrottledRequestsForOperations({ operations: tableOperations, period });
    const tableSystemErrors = table.metricSystemErrorsForOperations({ operations: tableOperations, period });

    this.alarm('api-5xx-rate', serverErrorRate, 1, 'More than 1% of API requests answer 5xx');
    this.alarm('api-latency-p99', latency('p99'), 3000, 'API p99 latency is above 3 s');
    this.alarm('table-throttles', tableThrottles, 1, 'DynamoDB throttles requests');
    this.alarm('table-system-errors', tableSystemErrors, 1, 'DynamoDB answers with internal errors');
    this.alarm('kms-failures', kmsFailures, 1, 'KMS calls fail: tokens cannot be signed or license keys sealed');
    // Events out (API.md §9): deliveries failing in numbers, and events that reached webhooks only through the
    // outbox sweep (the stream did not hand them over). The dispatcher's lag on the stream: its TableStreamConsumer.
    this.alarm('webhook-deliveries-failing', serviceMetric(metricNames.webhookDeliveriesFailed), 20, 'Webhook deliveries fail in numbers (20 in 5 minutes): receivers down, or the service cannot reach out');
    this.alarm('events-missed-by-stream', serviceMetric(metricNames.eventsSweptFromOutbox), 1, 'Events reached webhooks and the bus through the outbox sweep: the dispatcher did not get them from the stream');
    // The functions' errors and throttles, summed 10 functions to an alarm (an alarm's metric math takes at
    // most 10 metrics): two alarms per function would cost two of the template's 500 resources each. The
    // dashboard graphs each function on its own, and the description names the group's.
    const groups = Object.entries(functions).reduce<Array<Array<[string, LambdaFunction]>>>((all, entry, index) => {
      if (index % functionsPerAlarm === 0) all.push([]);
      all.at(-1)?.push(entry);
      return all;
    }, []);
    groups.forEach((group, index) => {
      const names = group.map(([name]) => name).join(', ');
      const sum = (label: string, metric: (fn: LambdaFunction) => IMetric) =>
        new MathExpression({
          expression: group.map((_, at) => `FILL(f${at}, 0)`).join(' + '),
          usingMetrics: Object.fromEntries(group.map(([, fn], at) => [`f${at}`, metric(fn)])),
          period,
          label,
        });
      this.alarm(`functions-${index + 1}-errors`, sum('errors', (fn) => fn.metricErrors({ period, statistic: 'Sum' })), 1, `A function fails outside its error handling (crash, timeout, out of memory); one of: ${names}`);
      this.alarm(`functions-${index + 1}-throttles`, sum('throttles', (fn) => fn.metricThrottles({ period, statistic: 'Sum' })), 1, `A function is throttled by Lambda; one of: ${names}`);
    });
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
      alarm.addOkAction(new SnsAction(this.alarmTopic));
    }

    // Trials beyond what the service usually sees: an anomaly band learnt from the metric's own history
    // (2 standard deviations), since no fixed threshold fits a product's launch and its quiet weeks alike.
    this.trialsAnomaly = new CfnAlarm(this, 'trials-started-anomaly-alarm', {
      alarmName: `${this.prefix}-trials-started-anomaly`,
      alarmDescription: 'More trials start than usual: trial abuse (new keys and fingerprints from many addresses)? docs/RELIABILITY.md',
      comparisonOperator: 'GreaterThanUpperThreshold',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      thresholdMetricId: 'band',
      treatMissingData: 'notBreaching',
      alarmActions: [this.alarmTopic.topicArn],
      okActions: [this.alarmTopic.topicArn],
      metrics: [
        {
          id: 'trials',
          returnData: true,
          metricStat: {
            metric: { namespace, metricName: metricNames.trialsStarted, dimensions: [{ name: 'service', value: serviceName }] },
            period: period.toSeconds(),
            stat: 'Sum',
          },
        },
        { id: 'band', expression: 'ANOMALY_DETECTION_BAND(trials, 2)', label: 'usual trials', returnData: true },
      ],
    });

    const functionMetrics = (metric: (fn: IFunction) => IMetric) => Object.values(functions).map(metric);

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: this.prefix, defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests and errors', left: [requests], right: [clientErrors, serverErrors], width: 12 }),
      new GraphWidget({ title: 'API latency (ms)', left: [latency('p50'), latency('p99')], width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Activations, heartbeats and trials',
        left: [
          serviceMetric(metricNames.activationsCreated, 'activations'),
          serviceMetric(metricNames.activationsRepeated, 'repeated activations'),
          serviceMetric(metricNames.trialsStarted, 'trials started'),
        ],
        right: [serviceMetric(metricNames.heartbeats, 'heartbeats')],
        width: 12,
      }),
      new GraphWidget({ title: 'Denials (4xx) by code', left: [everySeriesOf(metricNames.denials, [metricDimensions.code])], width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors and throttles',
        left: functionMetrics((fn) => fn.metricErrors({ period, statistic: 'Sum' })),
        right: functionMetrics((fn) => fn.metricThrottles({ period, statistic: 'Sum' })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Requests by route and status class',
        left: [everySeriesOf(metricNames.requests, [metricDimensions.route, metricDimensions.statusClass])],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB consumed capacity',
        left: [table.metricConsumedReadCapacityUnits({ period, statistic: 'Sum' }), table.metricConsumedWriteCapacityUnits({ period, statistic: 'Sum' })],
        width: 8,
      }),
      // Two graphs: both sums name their per-operation metrics alike, and one graph cannot hold both.
      new GraphWidget({ title: 'DynamoDB throttled requests', left: [tableThrottles], width: 8 }),
      new GraphWidget({ title: 'DynamoDB system errors', left: [tableSystemErrors], width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'KMS calls (account-wide), signatures and KMS failures',
        left: [...['Sign', 'GetPublicKey', 'Encrypt', 'Decrypt'].map(kmsCallCount), serviceMetric(metricNames.signatures, 'token signatures')],
        right: [kmsFailures],
        width: 12,
      }),
      new GraphWidget({
        title: 'WAF blocked requests',
        left: [
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
            statistic: 'Sum',
            period,
          }),
        ],
        width: 12,
      }),
    );
  }

  /** An alarm on a count or rate that should stay under `threshold`: it fires on 2 bad periods out of 3. */
  private alarm(name: string, metric: IMetric, threshold: number, description: string): void {
    this.alarms.push(
      new Alarm(this, `${name}-alarm`, {
        alarmName: `${this.prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
