import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@license-activation/contract/routes';
import { resetConfig } from '#lib/platform/config.js';
import { table } from '#lib/platform/dynamodb.js';
import { ensureSampleWorld } from '#dev/sample-world.js';
import { asLocalInstallation, loadInstallationKey, needsFreshProof, withFreshProof } from '#scripts/invoke.js';
import type { InstallationKey } from '#scripts/invoke.js';
import { send } from '../support/api.js';

// `npm run invoke -- <function> events/<route>.json` on a fresh database, as the README tells a newcomer:
// every sample event answers a success, but those whose proof cannot be made up front.

/**
 * A user code lives 10 minutes and an offline request file 7 days: those events need a fresh one (README);
 * `recover` reaches at most 7 days back, so its sample's `since` ages the same way.
 */
const needFreshCodes = new Set(['getDeviceAuthorization', 'approveDeviceAuthorization', 'denyDeviceAuthorization', 'deviceToken', 'offlineActivate', 'recoverWebhookDeliveries']);
/** Changes that undo what later events need: run last. */
const last = ['releaseActivation', 'removeMember', 'revokeLicense', 'removeAssociation', 'deleteWebhookEndpoint'];

const sampleRoutes = routes
  .filter((route) => route.twinOf === undefined && !needFreshCodes.has(route.id))
  .map((route) => route.id)
  .sort((a, b) => last.indexOf(a) - last.indexOf(b));

let dataDir: string;
let key: InstallationKey;
const publicBaseUrl = process.env.PUBLIC_BASE_URL;

beforeAll(async () => {
  // As `npm run invoke` runs: proofs name the event's own URL, the installation key lives under DATA_DIR.
  delete process.env.PUBLIC_BASE_URL;
  resetConfig();
  dataDir = await mkdtemp(join(tmpdir(), 'sample-events-'));
  key = await loadInstallationKey(dataDir);
  expect(await ensureSampleWorld(table())).toBe(true);
  expect(await ensureSampleWorld(table())).toBe(false);
});

afterAll(async () => {
  process.env.PUBLIC_BASE_URL = publicBaseUrl;
  resetConfig();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the sample events on a fresh database', () => {
  it.each(sampleRoutes)('%s answers a success', async (routeId) => {
    const event = JSON.parse(await readFile(new URL(`../../events/${routeId}.json`, import.meta.url), 'utf8')) as APIGatewayProxyEvent;

    const answer = await send(needsFreshProof(event) ? await withFreshProof(event, key) : asLocalInstallation(event, key));

    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(400);
  });
});
