import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DeliveryRef } from '../data/webhook-deliveries.js';
import { awsClientDefaults, withoutSdkLogging } from '../platform/aws-client-defaults.js';
import type { DeliveryStarter } from './delivery-runner.js';

/**
 * On AWS, deliveries start in invocations of their own: the dispatcher invokes its own function
 * asynchronously (`Event`) with up to 25 deliveries each, so that neither a stream batch nor a sweep waits
 * for an endpoint. A lost invocation loses nothing: the delivery is due in the table, and the next sweep
 * starts it.
 */

const deliveriesPerInvocation = 25;

/** What the dispatcher is invoked with to run deliveries. */
export interface RunDeliveriesEvent {
  readonly deliveries: readonly DeliveryRef[];
}

export function lambdaDeliveryStarter(region: string, functionName: string): DeliveryStarter {
  const client = withoutSdkLogging(new LambdaClient({ region, ...awsClientDefaults }));
  return async (refs) => {
    const invocations: Promise<unknown>[] = [];
    for (let start = 0; start < refs.length; start += deliveriesPerInvocation) {
      const event: RunDeliveriesEvent = { deliveries: refs.slice(start, start + deliveriesPerInvocation) };
      invocations.push(client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) })));
    }
    await Promise.all(invocations);
  };
}
