import { config } from '../platform/config.js';

/**
 * The ops API key: `$OPS_API_KEY`, a local convenience only (`npm start`, tests). On AWS ops
 * authenticate with IAM (SigV4) on the `/v1/admin/` routes and hold no bearer key: a function
 * running on Lambda ignores the variable, so no setting can turn a static ops key back on there.
 */
export function opsApiKey(): Promise<string | undefined> {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return Promise.resolve(undefined);
  return Promise.resolve(config().opsApiKey);
}
