import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { awsClientDefaults, withoutSdkLogging } from '../platform/aws-client-defaults.js';

/**
 * Every event also goes to the stack's EventBridge bus (API.md §9), `source` the service's name,
 * `detail-type` the event's type, `detail` the event, so that ops route events with rules of their own.
 * There is no bus under `npm start`.
 */
export interface EventPublisher {
  publish(events: readonly AuditEvent[]): Promise<void>;
}

/** PutEvents takes at most 10 entries a call. */
const entriesPerCall = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source: string,
  ) {}

  async publish(events: readonly AuditEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += entriesPerCall) {
      const batch = events.slice(start, start + entriesPerCall);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: this.source,
            DetailType: event.type,
            Detail: JSON.stringify(event),
            Time: new Date(event.createdAt),
          })),
        }),
      );
      // A partial failure is a failure: the stream hands the events over again (the bus is at least once too).
      if ((result.FailedEntryCount ?? 0) > 0) {
        const codes = (result.Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
        throw Object.assign(new Error(`EventBridge refused ${result.FailedEntryCount} of ${batch.length} events (${[...new Set(codes)].join(', ')})`), { name: 'EventBusError' });
      }
    }
  }
}

export function createEventBridgePublisher(region: string, busName: string, source: string): EventPublisher {
  return new EventBridgePublisher(withoutSdkLogging(new EventBridgeClient({ region, ...awsClientDefaults })), busName, source);
}
