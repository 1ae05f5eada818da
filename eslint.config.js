// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.data/', 'coverage/', 'packages/*/dist/', 'site/dist/', 'site/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Functions build their schemas with the zod that packages/contract/src/zod.ts configures: mini, with English messages.
    files: ['lib/**', 'functions/**', 'packages/contract/src/**'],
    ignores: ['packages/contract/src/zod.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'zod/mini', message: 'import @license-activation/contract/zod, which sets its messages', allowTypeImports: true }] },
      ],
    },
  },
  {
    // One module owns each table access pattern: the service reaches DynamoDB through lib/data only.
    files: ['lib/**', 'functions/**', 'dev/**', 'cdk/**'],
    ignores: ['lib/data/**', 'lib/platform/dynamodb.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@aws-sdk/lib-dynamodb', message: 'read and write the table through a lib/data module' }] },
      ],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
