import { table } from '#lib/platform/dynamodb.js';
import { checkTableReachable } from '#lib/data/health.js';
import { httpHandler } from '#lib/http/http-handler.js';

export const handler = httpHandler({}, async () => {
  await checkTableReachable(table());
  return { status: 200, body: { status: 'ok' } };
});
