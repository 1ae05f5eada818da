import { GetPublicKeyCommand, KMSClient, KMSInvalidStateException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetConfig } from '#lib/platform/config.js';
import { resetMetrics } from '#lib/platform/metrics.js';
import { resetSigner, signer } from '#lib/keys/process-signer.js';
import { problem } from '@license-activation/contract/problem';
import type { CallerVerifiers } from '#lib/auth/authentication.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { domainCounts } from '#lib/http/request-metrics.js';
import { eventFor } from '../../support/api.js';
import type { Context } from 'aws-lambda';

const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'test', awsRequestId: 'aws-request' } as unknown as Context;
/** Any caller passes: these tests are about what the answers count. */
const anyInstallation: CallerVerifiers = {
  installations: { verify: async () => ({ kind: 'installation', id: 'installation-1', jwk: {}, jti: 'jti-1', iat: 0 }), spendRefused: async () => undefined },
};

/** The EMF documents Powertools printed: in dev mode it prints through the console, which the test setup mocks. */
function publishedMetrics(): Record<string, unknown>[] {
  return vi
    .mocked(console.log)
    .mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    .filter((document) => '_aws' in document);
}

describe('domainCounts', () => {
  it.each([
    ['activate', 201, ['ActivationsCreated']],
    ['activate', 200, ['ActivationsRepeated']],
    ['offlineActivate', 201, ['ActivationsCreated']],
    ['startTrial', 201, ['TrialsStarted']],
    ['startTrial', 200, []],
    ['heartbeat', 200, ['Heartbeats']],
    ['heartbeat', 409, ['Denials']],
    ['activate', 503, []],
    ['issueLicense', 201, []],
    [undefined, 404, ['Denials']],
  ] as const)('counts %s answered %d as %j', (route, status, counts) => {
    expect(domainCounts(route, status)).toEqual(counts);
  });
});

describe('request metrics', () => {
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'LicenseActivation/test');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'license-activation');
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    resetMetrics();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
    resetMetrics();
    resetConfig();
    resetSigner();
  });

  it('publishes one EMF document per request: the request and its domain counts, by route and status class and in total', async () => {
    await httpHandler({ startTrial: {} }, async () => ({ status: 201 }), anyInstallation)(await eventFor('startTrial'), context);

    expect(publishedMetrics()).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: 'LicenseActivation/test',
              Dimensions: [['service', 'route', 'statusClass'], ['service']],
              Metrics: [expect.objectContaining({ Name: 'Requests', Unit: 'Count' }), expect.objectContaining({ Name: 'TrialsStarted', Unit: 'Count' })],
            },
          ],
        }),
        service: 'license-activation',
        route: 'startTrial',
        statusClass: '2xx',
        Requests: 1,
        TrialsStarted: 1,
      }),
    ]);
  });

  it('counts a problem answer as a denial, by its code too', async () => {
    await httpHandler({ startTrial: {} }, async () => Promise.reject(problem('TRIAL_ALREADY_USED', 'used')), anyInstallation)(await eventFor('startTrial'), context);

    const [document] = publishedMetrics();
    expect(document).toMatchObject({ route: 'startTrial', statusClass: '4xx', code: 'TRIAL_ALREADY_USED', Requests: 1, Denials: 1 });
    expect(JSON.stringify(document)).toContain('[["service","route","statusClass"],["service"],["service","code"]]');
  });

  it('counts and prints nothing where no namespace is configured, as in the tests and the local service', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', '');
    resetMetrics();

    await httpHandler({ heartbeat: {} }, async () => ({ status: 200 }), anyInstallation)(await eventFor('heartbeat'), context);

    expect(publishedMetrics()).toEqual([]);
  });

  it('counts the signatures made while answering', async () => {
    resetSigner();
    const signing = httpHandler({ heartbeat: {} }, async () => {
      await signer().sign(Buffer.from('header.payload'));
      return { status: 200 };
    }, anyInstallation);

    await signing(await eventFor('heartbeat'), context);

    expect(publishedMetrics()[0]).toMatchObject({ Heartbeats: 1, Signatures: 1 });
  });

  it('counts a signing key that cannot be reached as a signing failure', async () => {
    vi.stubEnv('SIGNER', 'kms');
    vi.stubEnv('SIGNING_KEY_ID', 'alias/license-signing');
    resetConfig();
    resetSigner();
    const kms = mockClient(KMSClient);
    kms.on(GetPublicKeyCommand).rejects(new KMSInvalidStateException({ message: 'pending deletion', $metadata: {} }));
    const signing = httpHandler({ heartbeat: {} }, async () => ({ status: 200, body: { kid: await signer().keyId() } }), anyInstallation);

    await signing(await eventFor('heartbeat'), context);

    kms.restore();
    expect(publishedMetrics()[0]).toMatchObject({ statusClass: '5xx', SigningFailures: 1 });
  });
});
