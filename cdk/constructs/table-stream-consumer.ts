import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamChanges } from '../function-permissions.js';
import type { StageConfig } from '../stage-config.js';

export interface TableStreamConsumerProps {
  readonly config: StageConfig;
  /** The consumer's name in alarms and queues (its function's). */
  readonly name: string;
  readonly fn: IFunction;
  readonly table: ITable;
  /** The changes it is given; the rest of the stream never invokes it. */
  readonly changes: StreamChanges;
  /** How late its figures may run, at most, before ops are told. */
  readonly maxLag: Duration;
  readonly alarmTopic: ITopic;
}

/**
 * A function behind its own event source mapping on the table's stream (docs/ARCHITECTURE.md, "After a
 * commit"): batches of up to 100 records in order, a failed record reported alone (`ReportBatchItemFailures`)
 * and retried with what follows it, a batch that keeps failing bisected, and a record that still fails
 * after 10 retries set aside in a queue — its consumer being idempotent and rebuildable, ops rebuild
 * rather than let one record block the shard for the stream's 24 hours. Alarms: the consumer running
 * late, and any record set aside.
 */
export class TableStreamConsumer extends Construct {
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: TableStreamConsumerProps) {
    super(scope, id);
    const { config, name, fn, table } = props;
    const { partitionPrefixes: prefixes = [], items, patterns } = props.changes;
    this.deadLetters = new Queue(this, 'SetAside', {
      queueName: `license-activation-${config.stage}-${name}-set-aside`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "The queue is itself where the event source mapping sets aside the records its consumer failed (a dead-letter queue); a queue behind it would hold nothing.",
    });
    fn.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          ...(prefixes.length > 0 ? [FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: prefixes.flatMap((prefix) => FilterRule.beginsWith(prefix)) } } } })] : []),
          ...(items ?? []).map((item) => FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: [item.pk] }, sk: { S: [item.sk] } } } })),
          ...(patterns ?? []).map((pattern) => FilterCriteria.filter(pattern)),
        ],
      }),
    );
    const alarms = [
      new Alarm(this, 'LagAlarm', {
        alarmName: `license-activation-${config.stage}-${name}-lag`,
        alarmDescription: `The ${name} consumer applies the stream more than ${props.maxLag.toSeconds()} s after the commits`,
        metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
        threshold: props.maxLag.toMilliseconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'SetAsideAlarm', {
        alarmName: `license-activation-${config.stage}-${name}-set-aside`,
        alarmDescription: `A stream record failed ${name} 10 times and was set aside: fix the cause, then rebuild (docs/RELIABILITY.md)`,
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
