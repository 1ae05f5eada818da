import { table } from '../../lib/adapters/dynamodb.js';
import { ActivationPath } from '../../lib/contract/installation-requests.js';
import { dpopProofs } from '../../lib/http/dpop-proofs.js';
import { httpHandler } from '../../lib/http/http-handler.js';
import { storedApiKeys } from '../../lib/http/stored-api-keys.js';
import { releaseActivation } from '../../lib/installations/release-activation.js';

export const handler = httpHandler(
  { params: ActivationPath },
  async ({ params, caller, now }) => {
    await releaseActivation({ table: table() }, { caller, installationId: params.installationId, licenseId: params.licenseId, now });
    return { status: 204 };
  },
  { installations: dpopProofs, accounts: storedApiKeys },
);
