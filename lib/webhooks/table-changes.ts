import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxEventOf } from '../data/events.js';
import { keys, partitions } from '../data/keys.js';
import type { DeliveryStarter } from './delivery-runner.js';
import { dispatchEvent } from './dispatch.js';
import { disableEndpointsOfRevokedKey } from './revoked-keys.js';
import type { DeliveryDeps } from './webhook-deps.js';

/**
 * The webhook dispatcher as a consumer of the table's change stream (a Lambda event source mapping on AWS,
 * dev/table-stream.ts under `npm start`): an event's outbox entry becomes its deliveries and its entry on
 * the bus; a delivery its owner asked for (`test`, `retry`, `recover`) starts at once; an API key's removal
 * disables the endpoints it created. Deliveries are started apart (`start`), never awaited here: a batch is
 * done once what it must record is recorded, whatever the endpoints do. Records are handled side by side
 * (each is idempotent); a failure reports its record and every later one is handed over again.
 */

/**
 * What of the stream the dispatcher is given (Lambda filter patterns: cdk/constructs/table-stream-consumer.ts):
 * events entering the outbox, deliveries their owner asked for, API keys' lookup items leaving the table.
 * Nothing else invokes it: no other partition's writes, not the events' other copies, not its own attempts.
 */
export const dispatcherStreamChanges = {
  patterns: [
    { eventName: ['INSERT'], dynamodb: { NewImage: { gsi3pk: { S: [keys.undispatchedEvents] } } } },
    { dynamodb: { NewImage: { entity: { S: ['webhookDelivery'] }, requested: { S: [{ exists: true }] } } } },
    { eventName: ['REMOVE'], dynamodb: { Keys: { pk: { S: [{ prefix: partitions.apiKey }] } } } },
  ],
} as const;

type Image = Record<string, unknown>;

function imageOf(image: Record<string, unknown> | undefined): Image | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

async function handleRecord(deps: DeliveryDeps, record: DynamoDBRecord, start: DeliveryStarter, now: Date): Promise<void> {
  const newImage = imageOf(record.dynamodb?.NewImage);
  const oldImage = imageOf(record.dynamodb?.OldImage);
  const outbox = record.eventName === 'INSERT' && newImage ? outboxEventOf(newImage) : undefined;
  if (outbox) {
    await start(await dispatchEvent(deps, outbox, now));
    return;
  }
  // A revoked key's lookup item (`APIKEY#<hash>`, lib/data/api-keys.ts) leaves the table with its id and account.
  if (record.eventName === 'REMOVE' && oldImage?.entity === 'apiKey' && typeof oldImage.id === 'string') {
    await disableEndpointsOfRevokedKey(deps.table, { accountId: String(oldImage.accountId), apiKeyId: oldImage.id });
    return;
  }
  if (newImage?.entity === 'webhookDelivery' && newImage.status === 'pending' && newImage.requestedAt !== undefined && newImage.requestedAt !== oldImage?.requestedAt) {
    await start([{ endpointId: String(newImage.endpointId), eventId: String(newImage.eventId) }]);
  }
}

export async function handleTableChanges(deps: DeliveryDeps, event: DynamoDBStreamEvent, start: DeliveryStarter, onError: (error: unknown) => void, now = new Date()): Promise<DynamoDBBatchResponse> {
  const outcomes = await Promise.allSettled(event.Records.map((record) => handleRecord(deps, record, start, now)));
  const firstFailed = outcomes.findIndex((outcome) => outcome.status === 'rejected');
  if (firstFailed === -1) return { batchItemFailures: [] };
  for (const outcome of outcomes) if (outcome.status === 'rejected') onError(outcome.reason);
  return { batchItemFailures: [{ itemIdentifier: event.Records[firstFailed]?.dynamodb?.SequenceNumber ?? '' }] };
}
