import { AsyncLocalStorage } from 'node:async_hooks';
import { functionNeeds, leadingKeyPatterns } from '#cdk/function-permissions.js';
import type { FunctionName } from '#cdk/function-permissions.js';
import { tableReadActions, tableWriteActions } from '#cdk/constructs/service-function.js';
import { tableDefinition } from '#lib/data/table-definition.js';
import type { Table } from '#lib/platform/dynamodb.js';

/**
 * IAM's table permissions, played locally: each function reaches only the partitions and actions
 * cdk/function-permissions.ts grants it (`dynamodb:LeadingKeys`), or meets AccessDeniedException as on
 * AWS. The local server and the test harness run every handler under its function's name, so the whole
 * suite proves that the policies fit what the code really does.
 */
const currentFunction = new AsyncLocalStorage<FunctionName>();

/** Runs `work` as function `name`: the table calls it makes are checked against that function's grant. */
export function asFunction<T>(name: string, work: () => T): T {
  return Object.hasOwn(functionNeeds, name) ? currentFunction.run(name as FunctionName, work) : work();
}

type Key = { pk?: unknown } | undefined;

const unwrapped = (value: unknown): unknown => (typeof value === 'object' && value !== null && 'S' in value ? (value as { S: unknown }).S : value);
type Access = readonly [action: string, partitionKey: unknown];

/** The partition key value a Query names (`<pk> = :value` in its key condition), for the table or an index. */
function queriedPartition(input: Record<string, unknown>): unknown {
  const index = tableDefinition.globalSecondaryIndexes.find((candidate) => candidate.indexName === input.IndexName);
  const attribute = index?.partitionKey ?? tableDefinition.partitionKey;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  for (const [, name, value] of String(input.KeyConditionExpression).matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    if ((names[name as string] ?? name) === attribute) return values[value as string];
  }
  return undefined;
}

/** Every (IAM action, partition key) a command needs, by the DynamoDB operation the DocumentClient sends. */
function accessesOf(command: string, input: Record<string, unknown>): Access[] {
  // The DocumentClient's input, before marshalling; a marshalled value would be `{ S: … }`.
  const keyOf = (key: Key) => unwrapped(key?.pk);
  switch (command) {
    case 'GetItemCommand':
      return [['dynamodb:GetItem', keyOf(input.Key as Key)]];
    case 'PutItemCommand':
      return [['dynamodb:PutItem', keyOf(input.Item as Key)]];
    case 'UpdateItemCommand':
      return [['dynamodb:UpdateItem', keyOf(input.Key as Key)]];
    case 'DeleteItemCommand':
      return [['dynamodb:DeleteItem', keyOf(input.Key as Key)]];
    case 'QueryCommand':
      return [['dynamodb:Query', unwrapped(queriedPartition(input))]];
    case 'BatchGetItemCommand':
      return Object.values(input.RequestItems as Record<string, { Keys: Key[] }>).flatMap(({ Keys }) => Keys.map((key): Access => ['dynamodb:BatchGetItem', keyOf(key)]));
    case 'BatchWriteItemCommand':
      return Object.values(input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Key }; DeleteRequest?: { Key: Key } }>>).flatMap((requests) =>
        requests.map((request): Access => ['dynamodb:BatchWriteItem', keyOf(request.PutRequest?.Item ?? request.DeleteRequest?.Key)]),
      );
    case 'TransactGetItemsCommand':
      return (input.TransactItems as Array<{ Get: { Key: Key } }>).map(({ Get }): Access => ['dynamodb:GetItem', keyOf(Get.Key)]);
    case 'TransactWriteItemsCommand':
      return (input.TransactItems as Array<Record<string, { Key?: Key; Item?: Key }>>).map((item): Access => {
        const [kind, operation] = Object.entries(item)[0] ?? ['', {}];
        const action = { Put: 'dynamodb:PutItem', Update: 'dynamodb:UpdateItem', Delete: 'dynamodb:DeleteItem', ConditionCheck: 'dynamodb:ConditionCheckItem' }[kind] ?? kind;
        return [action, keyOf(operation.Key ?? operation.Item)];
      });
    default:
      // Scan and anything else no grant names: refused with the command's own name.
      return [[`dynamodb:${command.replace(/Command$/, '')}`, undefined]];
  }
}

function matches(pattern: string, value: string): boolean {
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

/** What a function's grant allows: its actions and its partitions' key patterns, derived once per function. */
const grants = new Map<FunctionName, { readonly actions: ReadonlySet<string>; readonly patterns: readonly string[] }>();

function grantOf(name: FunctionName): { readonly actions: ReadonlySet<string>; readonly patterns: readonly string[] } {
  let grant = grants.get(name);
  if (!grant) {
    const needs = functionNeeds[name];
    const table = 'table' in needs ? needs.table : undefined;
    grant = {
      actions: new Set(table ? [...tableReadActions, ...(table.access === 'RW' ? tableWriteActions : [])] : []),
      patterns: table ? leadingKeyPatterns(table.partitions) : [],
    };
    grants.set(name, grant);
  }
  return grant;
}

const enforced = new WeakSet<object>();

/** Puts the permission check on a table client (once). Calls made outside `asFunction` are not checked. */
export function enforceTablePermissions(client: Table['client']): void {
  if (enforced.has(client)) return;
  enforced.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = currentFunction.getStore();
      if (name === undefined) return next(args);
      const { actions, patterns } = grantOf(name);
      for (const [action, partitionKey] of accessesOf(String(context.commandName), args.input as Record<string, unknown>)) {
        const allowed = actions.has(action) && typeof partitionKey === 'string' && patterns.some((pattern) => matches(pattern, partitionKey));
        if (!allowed) {
          throw Object.assign(new Error(`${name} is not authorized to perform ${action} on partition ${String(partitionKey)} (cdk/function-permissions.ts)`), {
            name: 'AccessDeniedException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'tablePermissions', priority: 'high' },
  );
}
