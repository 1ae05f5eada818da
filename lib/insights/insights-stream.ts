import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { AuditEvent } from '@license-activation/contract/schemas';
import { advanceAsOf, tickTime } from '../data/insights.js';
import { toInstallationRecord } from '../data/installations.js';
import { partitions } from '../data/keys.js';
import { toLicenseRecord } from '../data/licenses.js';
import { recordLicenseStatusChange } from '../data/usage.js';
import { applyAssociation, applyInstallationDay, applySource } from './apply-changes.js';
import type { InsightsDeps } from './apply-changes.js';
import { activationContribution, installationContribution, licenseContribution, sourceKeys } from './sources.js';

/**
 * The insights consumer of the table's change stream (on AWS a Lambda function behind its own event
 * source mapping; under `npm start` the same code through dev/table-stream.ts). Each record is applied
 * by what it changed; the records of one batch are applied in order, and a record that fails is reported
 * with every record after it (`batchItemFailures`), to be delivered again: applying is idempotent.
 */

type Image = Record<string, unknown>;

/** A record's image (Lambda's JSON form of attribute values) as plain values. */
const imageOf = (image: unknown): Image | undefined => (image ? unmarshall(image as Record<string, AttributeValue>) : undefined);

/** The license status each license event leaves. */
const statusAfter: Readonly<Record<string, 'active' | 'suspended' | 'revoked'>> = {
  'license.issued': 'active',
  'license.suspended': 'suspended',
  'license.reinstated': 'active',
  'license.revoked': 'revoked',
};

/** What one record means for the figures, or nothing (items that count in no figure, the consumer's own). */
function changeOf(deps: InsightsDeps, record: DynamoDBRecord): (() => Promise<void>) | undefined {
  const keys = imageOf(record.dynamodb?.Keys);
  const pk = String(keys?.pk ?? '');
  const sk = String(keys?.sk ?? '');
  const removed = record.eventName === 'REMOVE';
  const image = removed ? imageOf(record.dynamodb?.OldImage) : imageOf(record.dynamodb?.NewImage);
  if (!image) return undefined;
  if (pk.startsWith(partitions.installation) && sk === 'INSTALLATION') {
    const installation = toInstallationRecord(image);
    const source = sourceKeys.installation(installation.id);
    if (removed) return () => applySource(deps.table, source, installation.customerId, undefined);
    return async () => {
      await applySource(deps.table, source, installation.customerId, installationContribution(deps.catalog, installation, image.clone));
      await applyInstallationDay(deps, installation);
    };
  }
  if (pk.startsWith(partitions.license) && sk === 'LICENSE') {
    const license = toLicenseRecord(image);
    return () => applySource(deps.table, sourceKeys.license(license.id), license.customerId, removed ? undefined : licenseContribution(license));
  }
  // Events, from their copy in the license's feed: counted once however many feeds keep them.
  if (pk.startsWith(partitions.license) && sk.startsWith('EVENT#') && record.eventName === 'INSERT') {
    const event = image as unknown as AuditEvent;
    if (event.type === 'activation.created') return () => applySource(deps.table, sourceKeys.activation(event.id), event.customerId, activationContribution(event));
    const status = statusAfter[event.type];
    if (status && event.licenseId) return () => recordLicenseStatusChange(deps.table, event.licenseId ?? '', event.id, { at: event.createdAt, status });
    return undefined;
  }
  if (pk.startsWith(partitions.account) && sk.startsWith('CUSTOMER#') && record.eventName !== 'MODIFY') {
    return () => applyAssociation(deps.table, String(image.resellerId), String(image.customerId), removed ? 'remove' : 'add');
  }
  return undefined;
}

/** When a record was committed: a tick's own time, or the stream's approximate creation time. */
function committedAt(record: DynamoDBRecord): string | undefined {
  const image = imageOf(record.dynamodb?.NewImage);
  const tick = image && tickTime(image);
  if (tick) return tick;
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

export async function handleInsightsRecords(deps: InsightsDeps, event: DynamoDBStreamEvent, onError: (error: unknown) => void = () => undefined): Promise<DynamoDBBatchResponse> {
  let appliedUpTo: string | undefined;
  for (const [index, record] of event.Records.entries()) {
    try {
      await changeOf(deps, record)?.();
    } catch (error) {
      onError(error);
      if (appliedUpTo) await advanceAsOf(deps.table, appliedUpTo);
      return { batchItemFailures: event.Records.slice(index).map((failed) => ({ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' })) };
    }
    const at = committedAt(record);
    if (at && (!appliedUpTo || at > appliedUpTo)) appliedUpTo = at;
  }
  if (appliedUpTo) await advanceAsOf(deps.table, appliedUpTo);
  return { batchItemFailures: [] };
}
