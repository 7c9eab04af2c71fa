import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import fast from './vitest.config.js';

/**
 * The soak tier (`npm run test:soak`): the long versions of the properties `npm test` runs small. The same test
 * files, sized by test/support/sizes.ts from these variables (default in brackets):
 *   FUZZ_RUNS      requests per fuzzer: the webhook and every /v1 route [10000]
 *   FUZZ_SEED      the fuzzers' fast-check seed [20261122]
 *   CRASH_KILLS    kill -9 points in local mode's crash run, each followed by a restart [10]
 *   PROPERTY_RUNS  runs of each in-memory convergence property [10000]
 *   STORE_RUNS     runs of each convergence property through the repositories on dynalite [300]
 *   HOSTILE_NAMES  distinct account_update event names in the hostile delivery to one WABA [3000]
 * .ci/run runs it at a moderate size after `npm test`.
 */
export const SOAK_FILES = [
  'test/ops/fuzz.test.ts',
  'test/ops/api-fuzz.test.ts',
  'test/local/crash.test.ts',
  'test/domain/convergence.property.test.ts',
  'test/store/repositories.test.ts',
  'test/domain/bounded-items.test.ts',
];
// A file moved or renamed must not silently drop out of the soak.
for (const file of SOAK_FILES) {
  if (!existsSync(file)) throw new Error(`vitest.soak.config.ts: ${file} does not exist (moved?)`);
}

export default defineConfig({
  test: {
    ...fast.test,
    include: SOAK_FILES,
    // Sizes come from the environment: only a hang guard, never a limit on how much work a run may do.
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    env: { ...fast.test?.env, SWITCHBOARD_TEST_TIER: 'soak' },
  },
});
