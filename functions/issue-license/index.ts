import { catalog } from '../../lib/adapters/catalog.js';
import { table } from '../../lib/adapters/dynamodb.js';
import { secretBox } from '../../lib/adapters/secret-box.js';
import { accountOf } from '../../lib/auth/principal.js';
import { IssueLicenseInput } from '../../lib/contract/license-requests.js';
import { httpHandler } from '../../lib/http/http-handler.js';
import { issueLicense } from '../../lib/licenses/issue-license.js';

export const handler = httpHandler({ body: IssueLicenseInput }, async ({ body, caller, header, now }) => {
  const { issued, replayed } = await issueLicense(
    { table: table(), catalog: catalog(), secretBox: secretBox() },
    { issuer: accountOf(caller), input: body, idempotencyKey: header('idempotency-key'), now },
  );
  const headers: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
  return { status: 201, body: issued, headers };
});
