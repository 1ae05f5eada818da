import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests run the packages' TypeScript sources (package.json "exports"), not their builds.
const sourceConditions = ['@license-activation/source'];

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    // Vitest leaves a core to itself (one worker on two cores), yet the integration files mostly wait on
    // DynamoDB Local: two workers on two cores take the suite from about 320 s to 240 s.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
