import { defineConfig } from 'vitest/config';

/**
 * The fast tier (`npm test`): unit and integration tests, the long properties at their small sizes
 * (test/support/sizes.ts). `npm run test:soak` runs those properties long (vitest.soak.config.ts). No test
 * asserts on wall-clock time or on how much work fits in a time window: the timeouts below are hang guards,
 * far above what any test needs on two busy cores.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT',
    },
  },
});
