import { table } from '#lib/platform/dynamodb.js';
import { checkTableReachable } from '#lib/data/health.js';
import { httpHandler } from '#lib/http/http-handler.js';
import { serviceRequests } from '@license-activation/contract/service-requests';
import { requestsOf } from '@license-activation/contract/route-request';

export const handler = httpHandler(requestsOf(serviceRequests, 'health'), async () => {
  await checkTableReachable(table());
  return { status: 200, body: { status: 'ok' } };
});
