import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { EventBridgePublisher } from '#lib/webhooks/event-bus.js';

const bridge = mockClient(EventBridgeClient);
afterEach(() => bridge.reset());

const event = (index: number): AuditEvent => ({
  id: `evt_01JHZ0000000000000000000${String(index).padStart(2, '0')}`,
  type: 'license.issued',
  createdAt: '2026-12-01T12:00:00.000Z',
  actor: { kind: 'reseller', id: 'acc_1' },
  customerId: 'acc_2',
  licenseId: 'lic_1',
  data: { quantity: 5 },
});

describe('EventBridgePublisher', () => {
  it('puts each event on the bus: source the service, detail-type its type, detail the event', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    await new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'license-activation-prod', 'license-activation').publish([event(1)]);
    expect(bridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ EventBusName: 'license-activation-prod', Source: 'license-activation', DetailType: 'license.issued', Detail: JSON.stringify(event(1)), Time: new Date('2026-12-01T12:00:00.000Z') }],
    });
  });

  it('puts at most 10 events a call', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'bus', 'license-activation').publish(Array.from({ length: 23 }, (_, index) => event(index)));
    expect(bridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('fails when EventBridge refuses an entry, so that the stream hands the event over again', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] });
    await expect(new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'bus', 'license-activation').publish([event(1)])).rejects.toThrow(/refused 1 of 1 events \(ThrottlingException\)/);
  });
});
