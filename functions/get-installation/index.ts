import { installationDeps } from '../../lib/adapters/installation-deps.js';
import { InstallationPath } from '../../lib/contract/installation-requests.js';
import { dpopProofs } from '../../lib/http/dpop-proofs.js';
import { httpHandler } from '../../lib/http/http-handler.js';
import { storedApiKeys } from '../../lib/http/stored-api-keys.js';
import { restoreInstallation } from '../../lib/installations/restore-installation.js';

export const handler = httpHandler(
  { params: InstallationPath },
  async ({ params, caller, now }) => ({
    status: 200,
    body: await restoreInstallation(installationDeps(), { caller, installationId: params.installationId, now }),
  }),
  { installations: dpopProofs, accounts: storedApiKeys },
);
