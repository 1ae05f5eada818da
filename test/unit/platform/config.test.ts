import { describe, expect, it } from 'vitest';
import { readConfig } from '#lib/platform/config.js';

describe('readConfig', () => {
  it.each([
    [{}, false],
    [{ WEBHOOK_LOCAL_TARGETS: 'allow' }, true],
    [{ WEBHOOK_LOCAL_TARGETS: 'yes' }, false],
    // Inside Lambda, whatever the environment says: an AWS stage never sends to http:// or loopback.
    [{ WEBHOOK_LOCAL_TARGETS: 'allow', AWS_LAMBDA_FUNCTION_NAME: 'license-activation-prod-webhook-dispatcher' }, false],
  ] as const)('lets webhooks go to http:// and loopback only under npm start: %j → %s', (environment, allowed) => {
    expect(readConfig(environment).webhookLocalTargets).toBe(allowed);
  });

  it('names the event bus only where the stack sets it', () => {
    expect(readConfig({}).eventBusName).toBeUndefined();
    expect(readConfig({ EVENT_BUS_NAME: 'license-activation-prod' }).eventBusName).toBe('license-activation-prod');
  });
});
