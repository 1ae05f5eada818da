import { describe, expect, it } from 'vitest';
import { opsPrincipal } from '#lib/auth/principal.js';
import { call, newInstallation } from '../support/api.js';
import { issueLicense, machine, registerCustomer } from '../support/scenario.js';

// Display fields are rendered by the license site and printed by licensectl: each refuses what would
// not show as itself (top of the contract), and keeps any printable Unicode.

const unprintable = [
  ['NUL', 'Acme\u0000Ltd'],
  ['a control character', 'Acme\u0007Ltd'],
  ['a C1 control character', 'Acme\u0085Ltd'],
  ['a newline', 'Acme\nLtd'],
  ['a right-to-left override', 'Acme \u202Edtl.exe'],
  ['a bidirectional isolate', 'Acme \u2066Ltd\u2069'],
  ['a line separator', 'Acme\u2028Ltd'],
] as const;
const printable = 'Société Générale 東京 🚀 (עברית)';

type Problem = { code: string; errors: { path: string }[] };

describe('display fields', () => {
  it.each(unprintable)('refuse %s in an account name, a hostname, a version and a reason', async (_, text) => {
    const customer = await registerCustomer();
    const { license } = await issueLicense(opsPrincipal, { customerId: customer.account.id });
    const answers = [
      await call<Problem>('registerAccount', { body: { name: text, email: 'it@acme.example' } }),
      await call<Problem>('startTrial', { installation: await newInstallation(), body: { productId: 'authserver', ...machine({ hostname: text }) } }),
      await call<Problem>('startTrial', { installation: await newInstallation(), body: { productId: 'authserver', ...machine({ version: text }) } }),
      await call<Problem>('suspendLicense', { as: opsPrincipal, params: { licenseId: license.id }, body: { reason: text } }),
    ];
    expect(answers.map(({ status, body }) => [status, body.code, body.errors.map((error) => error.path)])).toEqual([
      [400, 'VALIDATION_FAILED', ['name']],
      [400, 'VALIDATION_FAILED', ['hostname']],
      [400, 'VALIDATION_FAILED', ['version']],
      [400, 'VALIDATION_FAILED', ['reason']],
    ]);
  });

  it('keep printable Unicode of any script, and refuse more than 200 characters', async () => {
    const kept = await call<{ account: { name: string } }>('registerAccount', { body: { name: printable, email: 'it@acme.example' } });
    const long = await call<Problem>('registerAccount', { body: { name: 'x'.repeat(201), email: 'it@acme.example' } });
    expect(kept.status).toBe(201);
    expect(kept.body.account.name).toBe(printable);
    expect([long.status, long.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
