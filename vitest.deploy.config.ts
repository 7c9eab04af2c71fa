import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import fast, { DEPLOY_FILES } from './vitest.config.js';

/**
 * The deploy tier (`npm run test:deploy`, 1–2 minutes on two cores): tests that drive the deploy tooling as a
 * user does: the Deploy guide run as written (`cdk synth`, `cdk bootstrap`, the AWS CLI lines, to where the
 * missing credentials stop them) and the rehearsal's canaries (each breaks one thing AWS would refuse; the
 * rehearsal must name it). `.ci/run` runs them beside `npm run rehearse`; `npm test` leaves them out.
 */
// A file moved or renamed must not silently drop out of every tier.
for (const file of DEPLOY_FILES) {
  if (!existsSync(file)) throw new Error(`vitest.deploy.config.ts: ${file} does not exist (moved?)`);
}

export default defineConfig({
  test: {
    ...fast.test,
    include: DEPLOY_FILES,
    exclude: [],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    env: { ...fast.test?.env, SWITCHBOARD_TEST_TIER: 'deploy' },
  },
});
