import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchCacheDir, buildBundles, functionTargets } from '#bench/bundles.js';
import type { Bundle } from '#bench/bundles.js';
import { importRulesOf, importViolations } from '#bench/import-rules.js';
import { functionNames } from '#cdk/function-permissions.js';

describe('function bundles', () => {
  let bundles: Map<string, Bundle>;

  beforeAll(async () => {
    // Built as `cdk deploy` builds them, in memory: only their metafiles are read.
    bundles = await buildBundles(functionTargets, { outDir: join(benchCacheDir, 'import-rules-test'), write: false });
  });

  it('hold no module their function never uses, and load at init only what every request needs', () => {
    expect(importViolations(bundles)).toEqual([]);
  });

  it.each([
    ['health', ['@aws-sdk/client-kms', '@aws-sdk/client-secrets-manager'], ['zod', 'jose']],
    ['public-documents', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager'], ['zod']],
    ['authorizer', ['zod', '@aws-sdk/client-kms'], []],
    ['register-account', ['@aws-sdk/client-kms', '@aws-sdk/client-secrets-manager'], ['jose']],
  ] as const)('keeps %s free of %j, and of %j at init', (name, notBundled, notAtInit) => {
    const rules = importRulesOf(name);
    expect(rules.notBundled).toEqual(expect.arrayContaining([...notBundled]));
    expect(rules.notAtInit).toEqual(expect.arrayContaining([...notAtInit]));
  });

  it('finds a module a function loads at init against its rules', () => {
    const health = bundles.get('health') as Bundle;
    const withZod = new Map(bundles).set('health', { ...health, loadedAtInit: new Set([...health.loadedAtInit, 'zod']) });
    expect(importViolations(withZod)).toEqual(['health loads zod at init']);
  });

  it('builds every function of the stack', () => {
    expect([...bundles.keys()].toSorted()).toEqual([...functionNames].toSorted());
  });
});
