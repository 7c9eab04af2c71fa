import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySolutionEvent, projectSolution } from '../../shared/domains/solutions/solution.js';
import { applyThreadEvent, projectThread } from '../../shared/domains/threads/thread.js';
import { projectWaba } from '../../shared/domains/wabas/view.js';
import { applyWabaEvent } from '../../shared/domains/wabas/waba.js';
import { logWithRedelivery, solutionEvent, threadEvent, wabaEvent } from '../support/arbitraries.js';
import { fold, withoutKeys } from '../support/envelopes.js';
import { sized } from '../support/sizes.js';

/** 500 runs of each property in `npm test`; 10,000 in `npm run test:soak`, or PROPERTY_RUNS. */
const RUNS = { numRuns: sized('PROPERTY_RUNS', { fast: 500, soak: 10_000 }), seed: 20261122 };

describe('convergence in memory: any order, any number of times, the same item', () => {
  it('solutions', () => {
    fc.assert(
      fc.property(logWithRedelivery(solutionEvent('s1')), ({ log, redelivery }) => {
        const once = fold(log, applySolutionEvent);
        const again = fold(redelivery, applySolutionEvent);
        expect(again).toEqual(once);
        expect(projectSolution(again)).toEqual(projectSolution(once));
      }),
      RUNS,
    );
  });

  it('WABAs (all fields but discoveredBy, which records arrival order by design)', () => {
    fc.assert(
      fc.property(logWithRedelivery(wabaEvent('w1')), ({ log, redelivery }) => {
        const once = fold(log, applyWabaEvent);
        const again = fold(redelivery, applyWabaEvent);
        expect(withoutKeys(again, 'discoveredBy')).toEqual(withoutKeys(once, 'discoveredBy'));
        expect(withoutKeys(projectWaba(again), 'discoveredBy')).toEqual(
          withoutKeys(projectWaba(once), 'discoveredBy'),
        );
      }),
      RUNS,
    );
  });

  it('threads, projected at any instant', () => {
    fc.assert(
      fc.property(
        logWithRedelivery(threadEvent('p1', 'u1')),
        fc.integer({ min: 0, max: 10_000 }),
        ({ log, redelivery }, now) => {
          const once = fold(log, applyThreadEvent);
          const again = fold(redelivery, applyThreadEvent);
          expect(again).toEqual(once);
          expect(projectThread(again, now)).toEqual(projectThread(once, now));
        },
      ),
      RUNS,
    );
  });
});
