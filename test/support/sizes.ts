/**
 * Sizes of the long properties (fuzzing, crash runs, property runs), by tier. `npm test` (vitest.config.ts, the
 * fast tier) always runs the small size, so every save exercises the same properties in seconds and the same way
 * each time. `npm run test:soak` (vitest.soak.config.ts, which sets SWITCHBOARD_TEST_TIER=soak) runs the large
 * one, or the value of the named environment variable when it is set (`FUZZ_RUNS=100000 npm run test:soak`).
 */
export const SOAK = process.env.SWITCHBOARD_TEST_TIER === 'soak';

/** The size for this tier: `fast` in `npm test`; in the soak tier the variable's value, else `soak`. */
export const sized = (variable: string, sizes: { fast: number; soak: number }): number => {
  const value = SOAK ? process.env[variable] : undefined;
  if (value === undefined || value === '') return SOAK ? sizes.soak : sizes.fast;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new Error(`${variable} must be a positive whole number, got "${value}"`);
  return parsed;
};

/** The fast-check seed of the fuzzers: fixed, so a failure replays; FUZZ_SEED in the soak tier to explore. */
export const FUZZ_SEED = sized('FUZZ_SEED', { fast: 20261122, soak: 20261122 });
