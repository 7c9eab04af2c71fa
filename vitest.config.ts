import { configDefaults, defineConfig } from 'vitest/config';

/** The deploy tier's files (vitest.deploy.config.ts runs them and checks they exist): not in the fast tier. */
export const DEPLOY_FILES = ['test/ops/deploy-guide.test.ts', 'test/rehearse/canaries.test.ts'];

/**
 * The fast tier (`npm test`): unit and integration tests, the long properties at their small sizes
 * (test/support/sizes.ts). `npm run test:soak` runs those properties long (vitest.soak.config.ts);
 * `npm run test:deploy` runs the tests that drive the deploy tooling (vitest.deploy.config.ts). No test
 * asserts on wall-clock time or on how much work fits in a time window: the timeouts below are hang guards,
 * far above what any test needs on two busy cores.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...DEPLOY_FILES],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test files share their worker's module cache (aws-cdk-lib, the SDK and the app load once per worker, not
    // once per file: about half the suite's time). No test file keeps state in a module or leaves the
    // environment changed (vi.stubEnv with unstubAllEnvs, or restored in finally); `--sequence.shuffle` runs
    // check it, and test/support/isolation.ts fails a file that leaves an SDK client mocked or the environment
    // changed.
    isolate: false,
    setupFiles: ['test/support/isolation.ts'],
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
