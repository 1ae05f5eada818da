import { App, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { readStageConfig } from '#cdk/stage-config.js';

const configFrom = (context: Record<string, unknown>) => readStageConfig(new App({ context }).node);

describe('readStageConfig', () => {
  it('defaults to the dev stage, which cleans up after itself and keeps logs a week', () => {
    expect(configFrom({})).toMatchObject({
      stage: 'dev',
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      logRetention: RetentionDays.ONE_WEEK,
      issuer: 'license-activation',
      logLevel: 'INFO',
      signingKeyGeneration: 1,
      publishedKeyIds: [],
      alarmEmail: undefined,
    });
  });

  it('retains and protects data in prod and keeps logs three months', () => {
    expect(configFrom({ stage: 'prod' })).toMatchObject({
      stage: 'prod',
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      logRetention: RetentionDays.THREE_MONTHS,
    });
  });

  it('refuses a stage it does not know', () => {
    expect(() => configFrom({ stage: 'staging' })).toThrow(/stage must be one of dev, prod/);
  });

  it('reads numbers given as strings on the command line', () => {
    const config = configFrom({ stage: 'prod', throttleRateLimit: '50', throttleBurstLimit: '75', wafRateLimit: '1000', wafGlobalRateLimit: '5000', kmsEccRequestRate: '1000', signingKeyGeneration: '3' });
    expect(config).toMatchObject({ throttle: { rateLimit: 50, burstLimit: 75 }, wafRateLimit: 1000, wafGlobalRateLimit: 5000, kmsEccRequestRate: 1000, signingKeyGeneration: 3 });
  });

  it.each([
    ['throttleRateLimit', '0'],
    ['throttleBurstLimit', '2.5'],
    ['signingKeyGeneration', 'two'],
    ['wafRateLimit', '9'],
    ['wafGlobalRateLimit', '9'],
    ['kmsEccRequestRate', '0'],
  ])('refuses %s=%s', (key, value) => {
    expect(() => configFrom({ [key]: value })).toThrow(new RegExp(`context ${key} must be an integer`));
  });

  it('reads published key ids from a comma-separated string or a JSON array', () => {
    expect(configFrom({ publishedKeyIds: ' key-a, key-b ,' }).publishedKeyIds).toEqual(['key-a', 'key-b']);
    expect(configFrom({ publishedKeyIds: ['key-a', 'key-b'] }).publishedKeyIds).toEqual(['key-a', 'key-b']);
  });

  it('takes the issuer, log level and alarm email from context', () => {
    const config = configFrom({ issuer: 'acme-licensing', logLevel: 'DEBUG', alarmEmail: 'ops@example.com' });
    expect(config).toMatchObject({ issuer: 'acme-licensing', logLevel: 'DEBUG', alarmEmail: 'ops@example.com' });
  });

  it('refuses a log level Powertools does not know', () => {
    expect(() => configFrom({ logLevel: 'VERBOSE' })).toThrow(/logLevel must be one of/);
  });
});
