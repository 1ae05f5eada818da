import { catalog } from '#lib/platform/catalog.js';
import { table } from '#lib/platform/dynamodb.js';
import { accountOf } from '#lib/auth/principal.js';
import { BudgetInput, BudgetPath } from '@license-activation/contract/license-requests';
import { httpHandler } from '#lib/http/http-handler.js';
import { setBudget } from '#lib/licenses/budgets.js';

export const handler = httpHandler({ params: BudgetPath, body: BudgetInput }, async ({ params, body, caller, now }) => ({
  status: 200,
  body: { budget: await setBudget({ table: table(), catalog: catalog() }, { path: params, limit: body.limit, actor: accountOf(caller), now }) },
}));
