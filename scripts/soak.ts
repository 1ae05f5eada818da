/**
 * `npm run soak`: crash safety. One DynamoDB Local lives for the whole run while the service
 * (`scripts/start.ts`, a process group of its own) serves a mixed load of activations, heartbeats and
 * releases from many installations, and is killed with SIGKILL at random moments, then restarted on
 * the same data: the way a Lambda may die at any instant while DynamoDB stays up. After each kill the
 * ledger invariants hold, every activation acknowledged to a client is still there, and a retry of an
 * activation whose answer was lost answers that same activation without taking a second slot.
 *
 * Every installation keeps within the contract's allowance of 20 DPoP proofs per 600 s: it spends at most
 * 19 (one is kept for retrying a request whose answer a kill lost), gives its activations back before
 * its allowance runs out, and new installations join the fleet as older ones fall silent.
 *
 * Prints `N acknowledged, 0 lost, invariants ok` and exits 0, or says what broke and exits 1.
 * Settings: SOAK_KILLS (default 6), SOAK_WORKERS (8), SOAK_INSTALLATIONS (48 to start with).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTable } from '#lib/platform/dynamodb.js';
import { findFreePort, startDynamodbLocal } from '#dev/dynamodb-local.js';
import { newInstallation } from '#test/support/api.js';
import type { TestInstallation } from '#test/support/api.js';
import { request } from '#test/support/http-client.js';
import type { Credential, HttpAnswer } from '#test/support/http-client.js';
import { ledgerViolations } from '#test/support/ledger.js';
import { scanTable } from '#test/support/table-snapshot.js';
import type { Item } from '#test/support/table-snapshot.js';

const kills = Number(process.env.SOAK_KILLS ?? 6);
const workers = Number(process.env.SOAK_WORKERS ?? 8);
const installationCount = Number(process.env.SOAK_INSTALLATIONS ?? 48);
const licenseCount = 6;
const slotsPerLicense = 5;
/** The contract's allowance (API.md): an installation's 21st proof-bearing request within 600 s is 429 RATE_LIMITED. */
const proofsPerWindow = 20;
const proofWindowMs = 600_000;
const tableName = 'soak';
const opsApiKey = `lak_soak-${randomUUID()}`;

interface License {
  readonly id: string;
  readonly key: string;
}

/** What a client was told about one installation: the activations acknowledged to it (license → activation id). */
interface Client {
  readonly installation: TestInstallation;
  readonly held: Map<string, string>;
  /** Requests whose answer never came (the service died meanwhile): settled after the restart. */
  readonly unanswered: { action: 'activate' | 'release'; licenseId: string }[];
  /** When it signed each of its proofs, counted against the allowance. */
  readonly proofsSignedAt: number[];
  busy: boolean;
}

const newClient = async (): Promise<Client> => ({ installation: await newInstallation(), held: new Map(), unanswered: [], proofsSignedAt: [], busy: false });

/** Proofs a client may still spend on new requests: the allowance, less those of the last 600 s, less one kept for a retry. */
function proofsLeft(client: Client): number {
  const windowStart = Date.now() - proofWindowMs;
  return proofsPerWindow - 1 - client.proofsSignedAt.filter((signedAt) => signedAt > windowStart).length;
}

const failures: string[] = [];
let acknowledged = 0;
let lostAnswersRetried = 0;

/** Every license issued, and the pool activations draw from (`licenseCount` at a time). */
const licenses: License[] = [];
const licensePool: License[] = [];
let customerId = '';

// ---------------------------------------------------------------- the service, as a process group of its own

let baseUrl = '';
let service: ChildProcess | undefined;

async function startService(env: NodeJS.ProcessEnv): Promise<void> {
  // This very Node (the project's, README), as `npm start` runs the service: scripts/start.ts under tsx.
  const child = spawn(process.execPath, ['--conditions=@license-activation/source', '--import', 'tsx', 'scripts/start.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  service = child;
  let output = '';
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`the service did not start within 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      failed(new Error(`the service exited (${code ?? signal}) before it listened:\n${output}`));
    });
  });
  // Keep draining its output, or a full pipe would stall it.
  child.stdout?.resume();
  child.stderr?.resume();
}

/** SIGKILL to the whole process group (the service and the emulators it started), then wait until it is gone. */
async function killService(): Promise<void> {
  const child = service;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGKILL');
  await exited;
}

// ---------------------------------------------------------------- requests

async function send<T = Record<string, unknown>>(method: string, path: string, options: { credential?: Credential; body?: unknown } = {}): Promise<HttpAnswer<T & { code?: string }> | undefined> {
  try {
    return await request<T & { code?: string }>(baseUrl, method, path, options);
  } catch {
    // Connection refused or reset: the service is down, the answer (if any was coming) is lost.
    return undefined;
  }
}

async function issueLicense(): Promise<License | undefined> {
  const answer = await send<{ license: { id: string }; key: string }>('POST', '/v1/licenses', {
    credential: { apiKey: opsApiKey },
    body: { customerId, productId: 'authserver', type: 'users', quantity: 10, maxActivations: slotsPerLicense },
  });
  if (answer?.status !== 201) return undefined;
  const license = { id: answer.body.license.id, key: answer.body.key };
  licenses.push(license);
  return license;
}

/**
 * A license whose slots ran out (TOO_MANY_ACTIVATIONS) leaves the pool for a new one, so activations keep
 * coming: released slots beyond the release allowance stay taken until their tokens expire (API.md §8).
 * It stays in the pool when no license can be issued now (the service down).
 */
async function replaceFullLicense(full: License): Promise<void> {
  const index = licensePool.indexOf(full);
  if (index === -1) return;
  licensePool.splice(index, 1);
  licensePool.push((await issueLicense()) ?? full);
}

/** A request signed with the client's proof, counted against its allowance whether or not the service was up to see it. */
function withProof<T = Record<string, unknown>>(client: Client, method: string, path: string, body?: unknown) {
  client.proofsSignedAt.push(Date.now());
  return send<T>(method, path, { credential: { installation: client.installation }, body });
}

const activate = (client: Client, license: License) =>
  withProof<{ activation: { id: string } }>(client, 'POST', '/v1/activations', {
    key: license.key,
    productId: 'authserver',
    fingerprint: `soak-${client.installation.id}`,
    hostname: 'soak.example',
    version: '5.0.0',
    virtual: false,
  });

const release = (client: Client, licenseId: string) => withProof(client, 'DELETE', `/v1/installations/${client.installation.id}/activations/${licenseId}`);

const heartbeat = (client: Client) => withProof(client, 'POST', `/v1/installations/${client.installation.id}/heartbeat`, { version: '5.0.0', usage: { activeUsers: 1 } });

// ---------------------------------------------------------------- the load

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * What an idle client does next: activate when it holds nothing, else heartbeat, release or activate more;
 * but release once its proofs left would not cover releasing what it holds, and activate only if they would.
 */
function nextAction(client: Client): 'activate' | 'heartbeat' | 'release' {
  const held = client.held.size;
  const left = proofsLeft(client);
  if (held === 0) return 'activate';
  if (left <= held) return 'release';
  const roll = Math.random();
  if (roll < 0.2) return left >= held + 2 ? 'activate' : 'heartbeat';
  return roll < 0.7 ? 'heartbeat' : 'release';
}

/** One request for an idle client; false when its answer was lost. */
async function step(client: Client): Promise<boolean> {
  const action = nextAction(client);
  if (action === 'activate') {
    const license = pick(licensePool);
    const answer = await activate(client, license);
    if (!answer) client.unanswered.push({ action: 'activate', licenseId: license.id });
    else if (answer.status === 200 || answer.status === 201) {
      acknowledged += 1;
      client.held.set(license.id, answer.body.activation.id);
    } else if (answer.body.code === 'TOO_MANY_ACTIVATIONS') await replaceFullLicense(license);
    else if (answer.status !== 409 && answer.status !== 503) failures.push(`activation answered ${answer.status} ${answer.body.code}`);
    return answer !== undefined;
  }
  if (action === 'heartbeat') {
    const answer = await heartbeat(client);
    if (answer && answer.status !== 200 && answer.status !== 503) failures.push(`heartbeat answered ${answer.status} ${answer.body.code}`);
    return answer !== undefined;
  }
  const licenseId = pick([...client.held.keys()]);
  const answer = await release(client, licenseId);
  if (!answer) client.unanswered.push({ action: 'release', licenseId });
  else if (answer.status === 204) client.held.delete(licenseId);
  else if (answer.status !== 503) failures.push(`release answered ${answer.status} ${answer.body.code}`);
  return answer !== undefined;
}

/** Idle, nothing to settle, and proofs left for its next action: an activation and its release when it holds nothing. */
const ready = (client: Client) => !client.busy && client.unanswered.length === 0 && proofsLeft(client) >= (client.held.size === 0 ? 2 : 1);

/**
 * Workers that keep idle clients busy until `stop` says so; a worker whose request died waits for the
 * restart. A new installation joins whenever fewer clients are ready than there are workers.
 */
function runLoad(clients: Client[], isUp: () => boolean): { stop: () => Promise<void> } {
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      if (clients.filter(ready).length < workers) clients.push(await newClient());
      const client = clients.find((candidate) => ready(candidate) && Math.random() < 0.3);
      if (!client || !isUp()) {
        await sleep(5);
        continue;
      }
      client.busy = true;
      await step(client).finally(() => {
        client.busy = false;
      });
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

// ---------------------------------------------------------------- the checks

const activationItem = (items: readonly Item[], licenseId: string, installationId: string) =>
  items.find((item) => item.pk === `LICENSE#${licenseId}` && item.sk === `ACTIVATION#${installationId}`);

/** An activation that holds its license for its installation: a released one keeps its item (and slot) until `freesAt`. */
const isHeld = (item: Item | undefined): item is Item => item?.entity === 'activation' && item.releasedAt === undefined;

/** After a kill, before anything else runs: the ledger holds and no acknowledged activation is missing. */
function checkAfterKill(items: readonly Item[], clients: readonly Client[], round: number): void {
  failures.push(...ledgerViolations(items).map((violation) => `after kill ${round}: ${violation}`));
  for (const client of clients) {
    for (const [licenseId, activationId] of client.held) {
      // A release the kill left unanswered may well have happened: the retry settles it.
      if (client.unanswered.some((request) => request.action === 'release' && request.licenseId === licenseId)) continue;
      if (activationItem(items, licenseId, client.installation.id)?.activationId !== activationId) {
        failures.push(`after kill ${round}: activation ${activationId} of ${client.installation.id} on ${licenseId} was acknowledged and is lost`);
      }
    }
  }
}

/**
 * Settles the requests the kill left without answer, as their clients would: retry them. An
 * activation the service had committed answers 200 with the same activation and takes no slot.
 */
async function settleUnanswered(table: ReturnType<typeof createTable>, clients: readonly Client[]): Promise<void> {
  for (const client of clients) {
    for (const { action, licenseId } of client.unanswered.splice(0)) {
      const items = await scanTable(table);
      const committed = activationItem(items, licenseId, client.installation.id);
      const before = isHeld(committed) ? committed : undefined;
      const slotsBefore = items.find((item) => item.pk === `LICENSE#${licenseId}` && item.sk === 'LICENSE')?.activations;
      if (action === 'release') {
        const answer = await release(client, licenseId);
        if (answer?.status === 204 || answer?.status === 404) client.held.delete(licenseId);
        else failures.push(`retried release answered ${answer?.status}`);
        continue;
      }
      const license = licenses.find((candidate) => candidate.id === licenseId) as License;
      const answer = await activate(client, license);
      if (answer?.status === 200 || answer?.status === 201) {
        acknowledged += 1;
        client.held.set(licenseId, answer.body.activation.id);
      }
      if (!before) {
        if (answer?.status !== 201 && answer?.status !== 409) failures.push(`retried activation (never committed) answered ${answer?.status} ${answer?.body.code}`);
        continue;
      }
      lostAnswersRetried += 1;
      const slotsAfter = (await scanTable(table)).find((item) => item.pk === `LICENSE#${licenseId}` && item.sk === 'LICENSE')?.activations;
      if (answer?.status !== 200 || answer.body.activation.id !== before.activationId) failures.push(`retry of a committed activation answered ${answer?.status}, not the same activation`);
      if (slotsAfter !== slotsBefore) failures.push(`retry of a committed activation took a slot: ${String(slotsBefore)} → ${String(slotsAfter)}`);
    }
  }
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const dynamodb = await startDynamodbLocal();
  const dataDir = await mkdtemp(join(tmpdir(), 'soak-'));
  const port = await findFreePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // What the service checks each DPoP proof's htu against, and what the clients' proofs name (test/support/api.ts).
  process.env.PUBLIC_BASE_URL = baseUrl;
  const env = {
    ...process.env,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
    TABLE_NAME: tableName,
    PORT: String(port),
    DATA_DIR: dataDir,
    OPS_API_KEY: opsApiKey,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const table = createTable({ endpoint: dynamodb.endpoint, region: 'us-east-1', tableName });
  try {
    await startService(env);
    const customer = await send<{ account: { id: string } }>('POST', '/v1/accounts/register', { body: { name: 'Soak', email: 'soak@example.com' } });
    if (customer?.status !== 201) throw new Error(`registration answered ${customer?.status} ${JSON.stringify(customer?.body)}`);
    customerId = customer.body.account.id;
    for (let index = 0; index < licenseCount; index += 1) {
      const license = await issueLicense();
      if (!license) throw new Error('the service issued no license');
      licensePool.push(license);
    }
    const clients: Client[] = await Promise.all(Array.from({ length: installationCount }, newClient));

    let up = true;
    const load = runLoad(clients, () => up);
    for (let round = 1; round <= kills; round += 1) {
      await sleep(1_000 + Math.random() * 2_000);
      up = false;
      await killService();
      // Requests in flight when it died have failed by now; wait for the workers to notice.
      while (clients.some((client) => client.busy)) await sleep(5);
      checkAfterKill(await scanTable(table), clients, round);
      await startService(env);
      const unanswered = clients.reduce((count, client) => count + client.unanswered.length, 0);
      await settleUnanswered(table, clients);
      console.log(`kill ${round}: ${acknowledged} acknowledged so far, ${unanswered} answers lost in flight, ${failures.length} failures`);
      up = true;
    }
    await load.stop();
    const items = await scanTable(table);
    checkAfterKill(items, clients, kills);
    const held = clients.reduce((count, client) => count + client.held.size, 0);
    const stored = items.filter(isHeld).length;
    if (held !== stored) failures.push(`clients hold ${held} activations, the table ${stored}`);
    console.log(`${lostAnswersRetried} activations whose answer was lost were retried: same activation, no second slot; ${clients.length} installations, ${licenses.length} licenses`);
  } finally {
    await killService();
    table.client.destroy();
    await dynamodb.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  const lost = failures.filter((failure) => failure.includes('is lost')).length;
  if (failures.length > 0) {
    for (const failure of failures) console.error(failure);
    console.log(`${acknowledged} acknowledged, ${lost} lost, ${failures.length} failures`);
    process.exitCode = 1;
    return;
  }
  console.log(`${acknowledged} acknowledged, 0 lost, invariants ok`);
}

await main();
