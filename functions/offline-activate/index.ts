import { installationDeps } from '#lib/installations/installation-deps.js';
import { installationRequests } from '@license-activation/contract/installation-requests';
import { requestsOf } from '@license-activation/contract/route-request';
import { httpHandler } from '#lib/http/http-handler.js';
import { offlineActivate } from '#lib/installations/offline-activate.js';

export const handler = httpHandler(requestsOf(installationRequests, 'offlineActivate'), async ({ body, now }) => {
  const { created, token } = await offlineActivate(installationDeps(), { file: body.request, now });
  return { status: created ? 201 : 200, body: { token } };
});
