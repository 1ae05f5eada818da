import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';
import type { ServiceFunction } from './service-function.js';

export interface EventsOutProps {
  readonly config: StageConfig;
  /** `webhook-dispatcher`: the table's stream, a schedule (with the expiry notices), and its own asynchronous invocations. */
  readonly dispatcher: ServiceFunction;
}

/**
 * Events out (API.md §9): the stack's EventBridge bus, which every event is put on; the webhook dispatcher
 * swept every minute (the expiry notices due, due deliveries, events the stream missed) and invoking itself
 * to run deliveries (its place on the table's stream is a TableStreamConsumer beside the others, in the stack).
 */
export class EventsOut extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, { config, dispatcher }: EventsOutProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: `license-activation-${config.stage}`, description: 'Every event of the license activation service' });
    this.bus.grantPutEventsTo(dispatcher);
    dispatcher.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);

    // Its own name, not its ARN attribute: a policy of its role naming the function itself would be a cycle.
    dispatcher.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: `license-activation-${config.stage}-webhook-dispatcher`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    new Rule(this, 'SweepSchedule', {
      description: 'Gives the license expiry notices due, sweeps webhook deliveries falling due and events the table stream did not hand over',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(dispatcher, { retryAttempts: 0 })],
    });
  }
}
