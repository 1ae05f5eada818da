import { installationDeps } from '#lib/installations/installation-deps.js';
import { OfflineActivationInput } from '@license-activation/contract/installation-requests';
import { httpHandler } from '#lib/http/http-handler.js';
import { offlineActivate } from '#lib/installations/offline-activate.js';

export const handler = httpHandler({ body: OfflineActivationInput }, async ({ body, now }) => {
  const { created, token } = await offlineActivate(installationDeps(), { file: body.request, now });
  return { status: created ? 201 : 200, body: { token } };
});
