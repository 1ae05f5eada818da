import { table } from '#lib/platform/dynamodb.js';
import { ActivationPath } from '@license-activation/contract/installation-requests';
import { dpopProofs } from '#lib/auth/dpop-proofs.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { storedApiKeys } from '#lib/auth/stored-api-keys.js';
import { releaseActivation } from '#lib/installations/release-activation.js';

export const handler = httpHandler(
  { params: ActivationPath },
  async ({ params, caller, now }) => {
    await releaseActivation({ table: table() }, { caller, installationId: params.installationId, licenseId: params.licenseId, now });
    return { status: 204 };
  },
  { installations: dpopProofs, accounts: storedApiKeys },
);
