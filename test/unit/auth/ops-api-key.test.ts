import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as authorizer } from '#functions/authorizer/index.js';
import { opsApiKey } from '#lib/auth/ops-api-key.js';

const opsKey = process.env.OPS_API_KEY ?? '';
const event = (authorization: string) =>
  ({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/v1/customers', headers: { Authorization: authorization } }) as never;

describe('the ops API key', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is $OPS_API_KEY locally, which the authorizer accepts as ops', async () => {
    expect(await opsApiKey()).toBe(opsKey);
    expect(await authorizer(event(`Bearer ${opsKey}`))).toMatchObject({ principalId: 'ops:ops' });
  });

  it('does not exist on Lambda, whatever the environment says: ops use IAM there', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'license-activation-dev-authorizer');
    expect(await opsApiKey()).toBeUndefined();
    await expect(authorizer(event(`Bearer ${opsKey}`))).rejects.toThrow('Unauthorized');
  });
});
