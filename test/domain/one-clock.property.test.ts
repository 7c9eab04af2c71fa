import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solutionEvents } from '../../shared/domains/solutions/events.js';
import { applySolutionEvent, projectSolution } from '../../shared/domains/solutions/solution.js';
import { threadEvents } from '../../shared/domains/threads/events.js';
import { applyThreadEvent, projectThread } from '../../shared/domains/threads/thread.js';
import type { Item } from '../../shared/kernel/registers.js';
import {
  arrivalOrder,
  isSubsequenceOfChanges,
  lastChangeTold,
  leasedInOrder,
  propertyRuns,
  solutionObservations,
  solutionWorld,
  threadObservations,
  threadWorld,
} from '../support/world.js';

/**
 * Readings and facts share one clock: whatever order webhooks, sweeps' readings, refreshes and our own actions
 * arrive in, each real change publishes at most one event, events follow the order of the changes (never back
 * to an older state), and the object ends on Meta's state once anything told of the last change. In memory over
 * the pure registers: the same `apply` and event derivation the tables and streams run.
 */
const RUNS = { numRuns: propertyRuns(400), seed: 20261207 };

const same = <S>(a: S, b: S) => a === b;

describe('one clock, in memory: any interleaving publishes one event per real change', () => {
  it('solutions: webhooks (whole seconds), sweep readings (ms) and actions', () => {
    fc.assert(
      fc.property(solutionWorld(), (world) => {
        let item: Item | undefined;
        const published: string[] = [];
        for (const observation of arrivalOrder(solutionObservations(world, 's1'), world.order)) {
          const next = applySolutionEvent(item, observation).item;
          for (const event of solutionEvents(item, next)) published.push(String(event.detail.status));
          item = next;
        }
        expect(isSubsequenceOfChanges(published, world, same), JSON.stringify(published)).toBe(true);
        if (lastChangeTold(world)) expect(projectSolution(item)?.status).toBe(world.changes.at(-1)?.state);
      }),
      RUNS,
    );
  });

  it('threads: handover webhooks (ms), thread_owner readings and actions', () => {
    fc.assert(
      fc.property(threadWorld(), (world) => {
        let item: Item | undefined;
        const published: (string | null)[] = [];
        const arrived = leasedInOrder(arrivalOrder(threadObservations(world, 'p1', 'u1'), world.order));
        for (const observation of arrived) {
          const next = applyThreadEvent(item, observation).item;
          for (const event of threadEvents(item, next))
            published.push((event.detail.ownerAppId as string | null) ?? null);
          item = next;
        }
        expect(isSubsequenceOfChanges(published, world, same), JSON.stringify(published)).toBe(true);
        if (lastChangeTold(world) && world.changes.length > 0)
          expect(projectThread(item, 0)?.ownerAppId ?? null).toBe(world.changes.at(-1)?.state);
      }),
      RUNS,
    );
  });
});
