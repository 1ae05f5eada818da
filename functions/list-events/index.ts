import * as z from '../../lib/contract/zod.js';
import { table } from '../../lib/adapters/dynamodb.js';
import { listAuditEvents } from '../../lib/audit/list-audit-events.js';
import { accountOf } from '../../lib/auth/principal.js';
import { ListQuery } from '../../lib/contract/list-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';

/** Serves both feeds: the route's path names either a customer or a license. */
const SubjectPath = z.union([z.object({ customerId: z.string() }), z.object({ licenseId: z.string() })]);

export const handler = httpHandler({ params: SubjectPath, query: ListQuery }, async ({ params, query, caller }) => ({
  status: 200,
  body: await listAuditEvents({ table: table() }, { account: accountOf(caller), subject: params, query }),
}));
