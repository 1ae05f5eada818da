import { functionNames } from '#cdk/function-permissions.js';
import type { FunctionName } from '#cdk/function-permissions.js';
import { routes } from '@license-activation/contract/routes';
import { needsOf } from './bundles.js';
import type { Bundle } from './bundles.js';

/** Modules a function must not contain at all, and modules it may contain but must not evaluate at init. */
export interface ImportRules {
  readonly notBundled: readonly string[];
  readonly notAtInit: readonly string[];
}

/** Functions whose routes take no query, path or body schema: they validate nothing, so zod has no business there. */
const functionsWithoutSchemas: readonly FunctionName[] = ['health', 'public-documents', 'authorizer'];

/**
 * Functions that need jose: those that verify an installation's signature (a DPoP proof, or the signed
 * request file of an offline activation), and those that publish the signing key, whose kid is its thumbprint.
 */
const usesJose = (name: FunctionName) =>
  name === 'offline-activate' ||
  // It verifies people's access tokens.
  name === 'authorizer' ||
  needsOf(name).signingKey !== undefined ||
  routes.some((route) => route.function === name && (route.authentication === 'installation' || route.authentication === 'installation-or-api-key'));

/**
 * No function carries code it does not use. The AWS clients follow from its permissions
 * (cdk/function-permissions.ts): no client for a service it may not call. Only the functions that
 * verify installations' signatures or publish keys may load jose at init; zod validates requests,
 * so functions without schemas must not load it at init, and the others only their own schemas.
 */
export function importRulesOf(name: FunctionName): ImportRules {
  const needs = needsOf(name);
  const notBundled = [
    ...(needs.table ? [] : ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']),
    ...(needs.signingKey || needs.secretBox ? [] : ['@aws-sdk/client-kms', '@noble/curves']),
    // No function reads a secret from Secrets Manager: ops use IAM on AWS.
    '@aws-sdk/client-secrets-manager',
    ...(name === 'authorizer' ? ['zod', '@middy/core'] : []),
  ];
  const notAtInit = [
    // Building zod schemas is a good part of a cold start: the response schemas and the catalog's schema
    // serve the OpenAPI document, the client and the tests; a function builds only its own request schemas.
    'packages/contract/src/schemas.ts',
    'packages/contract/src/catalog-schema.ts',
    ...(functionsWithoutSchemas.includes(name) ? ['zod'] : []),
    ...(usesJose(name) ? [] : ['jose']),
  ];
  return { notBundled, notAtInit };
}

/** Every broken rule of every function bundle, as sentences; empty when all hold. */
export function importViolations(bundles: ReadonlyMap<string, Bundle>): string[] {
  return functionNames.flatMap((name) => {
    const bundle = bundles.get(name);
    if (!bundle) return [`${name}: no bundle was built`];
    const rules = importRulesOf(name);
    return [
      ...rules.notBundled
        .filter((module) => bundle.loadedAtInit.has(module) || bundle.loadedLazily.has(module))
        .map((module) => `${name} bundles ${module}, which it never uses`),
      ...rules.notAtInit.filter((module) => bundle.loadedAtInit.has(module)).map((module) => `${name} loads ${module} at init`),
    ];
  });
}
