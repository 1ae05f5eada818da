import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { secretBox } from '#lib/keys/process-secret-box.js';
import { accountOf } from '#lib/auth/principal.js';
import { IssueLicenseInput } from '@license-activation/contract/license-requests';
import { httpHandler } from '#lib/http/http-handler.js';
import { issueLicense } from '#lib/licenses/issue-license.js';

export const handler = httpHandler({ body: IssueLicenseInput }, async ({ body, caller, header, now }) => {
  const { issued, replayed } = await issueLicense(
    { table: table(), catalog: catalog(), secretBox: secretBox() },
    { issuer: accountOf(caller), input: body, idempotencyKey: header('idempotency-key'), now },
  );
  const headers: Record<string, string> = replayed ? { 'Idempotent-Replayed': 'true' } : {};
  return { status: 201, body: issued, headers };
});
