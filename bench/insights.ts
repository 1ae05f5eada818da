/**
 * What usage history and insights cost (docs/PERFORMANCE.md): the reads of `GET /v1/insights` for a
 * vendor of 100 and of 10,000 installations (the same calendar of activity, 100 times the sources), and
 * the stream consumer's work per heartbeat. The worlds are written straight into a table of their own
 * and their figures recomputed by the rebuild, which the consumer's are proved equal to.
 */
import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ensureTable } from '#dev/ensure-table.js';
import type { AccountPrincipal } from '#lib/auth/principal.js';
import { keys } from '#lib/data/keys.js';
import { writeItems } from '#lib/data/table-scan.js';
import { handleInsightsRecords } from '#lib/insights/insights-stream.js';
import { readInsights } from '#lib/insights/read-insights.js';
import { rebuildInsights } from '#lib/insights/rebuild.js';
import { catalog } from '#lib/platform/catalog.js';
import { createTable } from '#lib/platform/dynamodb.js';
import type { Table } from '#lib/platform/dynamodb.js';
import { itemSize } from './billed-units.js';
import { countTableCalls } from './call-counter.js';

export interface InsightsRead {
  /** DynamoDB commands and HTTP round trips of one read. */
  readonly commands: number;
  readonly roundTrips: number;
  /** Items read, and the read units DynamoDB bills for them by the published rules (4 KB units, half for eventually consistent reads). */
  readonly items: number;
  readonly readUnits: number;
  readonly ms: number;
}

export interface InsightsBench {
  /** By vendor size (installations), by scope. */
  readonly reads: Record<string, Record<'vendor' | 'reseller' | 'customer', InsightsRead>>;
  /** The consumer's work per heartbeat record (its installation's counters in 3 scopes, its day and its license's). */
  readonly consumer: { readonly heartbeats: number; readonly commandsPerHeartbeat: number; readonly itemsWrittenPerHeartbeat: number; readonly msPerHeartbeat: number };
  readonly worldSeconds: Record<string, number>;
}

const dayMs = 24 * 60 * 60 * 1000;
const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);

/** Read units by the published rules, from what each read answered (Local's own figure is not the bill). */
function countReadUnits(table: Table): { take(): { items: number; readUnits: number }; stop(): void } {
  let current = { items: 0, readUnits: 0 };
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!readCommands.has(String(context.commandName))) return result;
      const input = args.input as { ConsistentRead?: boolean; RequestItems?: Record<string, { ConsistentRead?: boolean }> };
      const consistent = input.ConsistentRead === true || Object.values(input.RequestItems ?? {}).some((request) => request.ConsistentRead === true);
      const factor = consistent ? 1 : 0.5;
      const output = result.output as { Item?: Record<string, unknown>; Items?: Record<string, unknown>[]; Responses?: Record<string, Record<string, unknown>[]> };
      const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096)) * factor;
      if (output.Items) {
        current.items += output.Items.length;
        current.readUnits += units(output.Items.reduce((sum, item) => sum + itemSize(item), 0));
      } else if (output.Responses) {
        for (const item of Object.values(output.Responses).flat()) {
          current.items += 1;
          current.readUnits += units(itemSize(item));
        }
      } else {
        current.items += output.Item ? 1 : 0;
        current.readUnits += units(output.Item ? itemSize(output.Item) : 0);
      }
      return result;
    },
    { step: 'initialize', name: 'benchReadUnits' },
  );
  return {
    take: () => {
      const taken = current;
      current = { items: 0, readUnits: 0 };
      return taken;
    },
    stop: () => table.client.middlewareStack.remove('benchReadUnits'),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A vendor of `size` installations over the 120 days before `now`: ten per customer, one `users`
 * license each (expiring over the next two years, one in ten already expired), every tenth installation
 * a trial, the customers split between two resellers, and each activation's event.
 */
function vendorWorld(size: number, now: number): { items: Record<string, unknown>[]; customerId: string; resellerId: string } {
  const resellers = [`acc_r1-${size}`, `acc_r2-${size}`];
  const items: Record<string, unknown>[] = [];
  for (let index = 0; index < size; index += 1) {
    const customerId = `acc_c${Math.floor(index / 10)}-${size}`;
    const licenseId = `lic_${Math.floor(index / 10)}-${size}`;
    const installationId = `inst-${index}-${size}`;
    const seenAt = now - (index % 120) * dayMs - (index % 24) * 3_600_000;
    if (index % 10 === 0) {
      const expiresAt = now + ((index * 7) % 730) * dayMs - (index % 100 === 0 ? 800 * dayMs : 0);
      items.push({
        ...keys.license(licenseId),
        entity: 'license',
        id: licenseId,
        customerId,
        productId: 'authserver',
        type: 'users',
        quantity: 10,
        status: 'active',
        keyPrefix: 'BENCH',
        issuedBy: 'ops',
        createdAt: iso(now - 200 * dayMs),
        expiresAt: iso(expiresAt),
        maxActivations: 20,
        activations: 9,
      });
      items.push({ ...keys.association(resellers[(index / 10) % 2] ?? '', customerId), entity: 'association', resellerId: resellers[(index / 10) % 2], customerId });
    }
    const trial = index % 10 === 9;
    items.push({
      ...keys.installation(installationId),
      entity: 'installation',
      id: installationId,
      productId: 'authserver',
      ...(trial ? { trial: { startedAt: iso(seenAt - 10 * dayMs), endsAt: iso(seenAt + 80 * dayMs) } } : { customerId }),
      hostname: 'srv',
      version: '5.0.0',
      virtual: false,
      fingerprintHash: installationId,
      createdAt: iso(seenAt - 10 * dayMs),
      lastSeenAt: iso(seenAt),
      usage: { activeUsers: index % 30, reportedAt: iso(seenAt) },
      licenses: trial ? {} : { [licenseId]: { licenseId, activationId: `act_${index}`, activatedAt: iso(seenAt - 10 * dayMs), type: 'users', quantity: 10, status: 'active' } },
      rev: 3,
    });
    if (!trial) {
      const eventId = `evt_${String(index).padStart(8, '0')}-${size}`;
      items.push({ pk: keys.eventFeed.license(licenseId), sk: keys.event(eventId), entity: 'event', id: eventId, type: 'activation.created', createdAt: iso(seenAt - 10 * dayMs), actor: { kind: 'system', id: 'system' }, customerId, licenseId, installationId });
    }
  }
  return { items, customerId: `acc_c0-${size}`, resellerId: resellers[0] ?? '' };
}

/** The consumer's work for a daily heartbeat of each installation, as its stream record would carry it. */
async function consumerPerHeartbeat(table: Table, installations: readonly Record<string, unknown>[], now: number): Promise<InsightsBench['consumer']> {
  const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  const heartbeat = (installation: Record<string, unknown>, index: number, at: number, rev: number): DynamoDBRecord =>
    ({
      eventName: 'MODIFY',
      dynamodb: {
        Keys: image({ pk: installation.pk, sk: installation.sk }),
        NewImage: image({ ...installation, lastSeenAt: iso(at), usage: { activeUsers: (index * rev) % 40, reportedAt: iso(at) }, rev }),
        SequenceNumber: String(rev * 1000 + index).padStart(21, '0'),
        ApproximateCreationDateTime: Math.floor(at / 1000),
      },
    }) as unknown as DynamoDBRecord;
  const deps = { table, catalog: catalog() };
  // Seen the day before (not counted), and again now: the heartbeat measured moves each figure by a day.
  await handleInsightsRecords(deps, { Records: installations.map((installation, index) => heartbeat(installation, index, now - dayMs + index * 1000, 4)) });
  const records = installations.map((installation, index) => heartbeat(installation, index, now + index * 1000, 5));
  const counter = countTableCalls(table);
  const started = performance.now();
  await handleInsightsRecords(deps, { Records: records });
  const ms = performance.now() - started;
  const calls = counter.take();
  counter.stop();
  return { heartbeats: records.length, commandsPerHeartbeat: calls.commands.length / records.length, itemsWrittenPerHeartbeat: calls.itemsWritten / records.length, msPerHeartbeat: ms / records.length };
}

export async function benchInsights(endpoint: string, sizes: readonly number[]): Promise<InsightsBench> {
  const reads: Record<string, Record<'vendor' | 'reseller' | 'customer', InsightsRead>> = {};
  const worldSeconds: Record<string, number> = {};
  let consumer: InsightsBench['consumer'] | undefined;
  const now = Date.now();
  for (const size of sizes) {
    const table = createTable({ endpoint, region: 'us-east-1', tableName: `bench-insights-${size}-${randomUUID()}` });
    await ensureTable(table);
    const built = performance.now();
    const world = vendorWorld(size, now);
    await writeItems(table, { puts: world.items });
    await rebuildInsights({ table, catalog: catalog() });
    worldSeconds[String(size)] = (performance.now() - built) / 1000;
    const units = countReadUnits(table);
    const calls = countTableCalls(table);
    const measure = async (account: AccountPrincipal): Promise<InsightsRead> => {
      units.take();
      calls.take();
      const started = performance.now();
      await readInsights({ table, catalog: catalog() }, { account, now: new Date(now) });
      const ms = performance.now() - started;
      const taken = calls.take();
      return { commands: taken.commands.length, roundTrips: taken.roundTrips, ...units.take(), ms };
    };
    // Once to warm the client, then measured.
    await measure({ kind: 'ops', id: 'ops' });
    reads[String(size)] = {
      vendor: await measure({ kind: 'ops', id: 'ops' }),
      reseller: await measure({ kind: 'reseller', id: world.resellerId }),
      customer: await measure({ kind: 'customer', id: world.customerId }),
    };
    units.stop();
    calls.stop();
    if (size === sizes[0]) consumer = await consumerPerHeartbeat(table, world.items.filter((item) => item.entity === 'installation').slice(0, 100), now + 60_000);
    table.client.destroy();
  }
  return { reads, consumer: consumer ?? { heartbeats: 0, commandsPerHeartbeat: 0, itemsWrittenPerHeartbeat: 0, msPerHeartbeat: 0 }, worldSeconds };
}
