import { defineConfig } from 'vitest/config';

// The license site in a real browser against `npm start` (test/e2e): run by `npm run test:e2e`, which `npm test` calls.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
