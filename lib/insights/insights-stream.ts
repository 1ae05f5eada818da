import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { advanceAsOf, tickKey, tickTime } from '../data/insights.js';
import { recordLicenseStatusChange } from '../data/usage.js';
import { applyAssociation, applyInstallationDay, applySource } from './apply-changes.js';
import type { InsightsDeps } from './apply-changes.js';
import { sourceItemOf, sourcePartitions } from './source-items.js';
import { activationContribution, installationContribution, licenseContribution, sourceKeys } from './sources.js';

/**
 * The insights consumer of the table's change stream (on AWS a Lambda function behind its own event
 * source mapping; under `npm start` the same code through dev/table-stream.ts). Each record is applied
 * by what it changed; the records of one batch are applied in order, and a record that fails is reported
 * with every record after it (`batchItemFailures`), to be delivered again: applying is idempotent.
 */

/** The changes the consumer is given (on AWS, its event source mapping's filter): its sources' partitions, and the clock's tick. */
export const insightsStreamChanges = { partitionPrefixes: [...sourcePartitions], items: [tickKey] } as const;

type Image = Record<string, unknown>;

/** A record's image (Lambda's JSON form of attribute values) as plain values. */
const imageOf = (image: unknown): Image | undefined => (image ? unmarshall(image as Record<string, AttributeValue>) : undefined);

/** What one record means for the figures, or nothing (items that count in no figure, the consumer's own). */
function changeOf(deps: InsightsDeps, record: DynamoDBRecord): (() => Promise<void>) | undefined {
  const removed = record.eventName === 'REMOVE';
  const image = removed ? imageOf(record.dynamodb?.OldImage) : imageOf(record.dynamodb?.NewImage);
  const source = image && sourceItemOf(image);
  switch (source?.kind) {
    case undefined:
      return undefined;
    case 'installation': {
      const { installation } = source;
      const key = sourceKeys.installation(installation.id);
      if (removed) return () => applySource(deps.table, key, installation.customerId, undefined);
      return async () => {
        await applySource(deps.table, key, installation.customerId, installationContribution(deps.catalog, installation));
        await applyInstallationDay(deps, installation);
      };
    }
    case 'license': {
      const { license } = source;
      return () => applySource(deps.table, sourceKeys.license(license.id), license.customerId, removed ? undefined : licenseContribution(license));
    }
    // Events are written once and never change: only their insertion counts.
    case 'activation':
      return record.eventName === 'INSERT' ? () => applySource(deps.table, sourceKeys.activation(source.event.id), source.event.customerId, activationContribution(source.event)) : undefined;
    case 'status-change':
      return record.eventName === 'INSERT' ? () => recordLicenseStatusChange(deps.table, source.licenseId, source.eventId, source.change) : undefined;
    case 'association':
      return record.eventName === 'MODIFY' ? undefined : () => applyAssociation(deps.table, source.resellerId, source.customerId, removed ? 'remove' : 'add');
  }
}

/**
 * When a record that counts was committed: a tick's own time, or a source's change's creation time. The
 * consumer's own writes (`asOf` among them) move nothing: counting them would have each batch's `asOf`
 * write start the next batch.
 */
function committedAt(record: DynamoDBRecord, counts: boolean): string | undefined {
  const image = imageOf(record.dynamodb?.NewImage);
  const tick = image && tickTime(image);
  if (tick) return tick;
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return counts && seconds !== undefined ? new Date(seconds * 1000).toISOString() : undefined;
}

export async function handleInsightsRecords(deps: InsightsDeps, event: DynamoDBStreamEvent, onError: (error: unknown) => void = () => undefined): Promise<DynamoDBBatchResponse> {
  let appliedUpTo: string | undefined;
  for (const [index, record] of event.Records.entries()) {
    const change = changeOf(deps, record);
    try {
      await change?.();
    } catch (error) {
      onError(error);
      if (appliedUpTo) await advanceAsOf(deps.table, appliedUpTo);
      return { batchItemFailures: event.Records.slice(index).map((failed) => ({ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' })) };
    }
    const at = committedAt(record, change !== undefined);
    if (at && (!appliedUpTo || at > appliedUpTo)) appliedUpTo = at;
  }
  if (appliedUpTo) await advanceAsOf(deps.table, appliedUpTo);
  return { batchItemFailures: [] };
}
