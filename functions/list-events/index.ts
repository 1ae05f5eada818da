import * as z from '@license-activation/contract/zod';
import { table } from '#lib/platform/dynamodb.js';
import { listAuditEvents } from '#lib/audit/list-audit-events.js';
import { accountOf } from '#lib/auth/principal.js';
import { ListQuery } from '@license-activation/contract/list-requests';
import { httpHandler } from '#lib/http/http-handler.js';

/** Serves both feeds: the route's path names either a customer or a license. */
const SubjectPath = z.union([z.object({ customerId: z.string() }), z.object({ licenseId: z.string() })]);

export const handler = httpHandler({ params: SubjectPath, query: ListQuery }, async ({ params, query, caller }) => ({
  status: 200,
  body: await listAuditEvents({ table: table() }, { account: accountOf(caller), subject: params, query }),
}));
