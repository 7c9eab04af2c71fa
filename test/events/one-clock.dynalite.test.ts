import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack.js';
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
 * The one-clock property of `test/domain/one-clock.property.test.ts`, on dynalite: each interleaving applied
 * through the real repositories (one conditional write each) behind local mode's stream, and the domain events
 * read off its bus. Fewer runs (each is a few dozen table writes); `PROPERTY_RUNS` for a soak.
 */
const local = useLocalStack();
const RUNS = { numRuns: propertyRuns(15), seed: 20261207 };
let sequence = 0;

const eventsOf = (match: (detail: Record<string, unknown>) => boolean) =>
  local.stack.events.items.filter((event) => match(event.detail)).map((event) => event.detail);

describe('one clock, on dynalite through the repositories and the stream', () => {
  it('solutions: one event per real change, in order, ending on the truth', async () => {
    await fc.assert(
      fc.asyncProperty(solutionWorld(5), async (world) => {
        const solutionId = String(771_000_000_000_000 + sequence++);
        for (const observation of arrivalOrder(solutionObservations(world, solutionId), world.order))
          await local.stack.repositories.solutions.apply(observation);
        const published = eventsOf((detail) => detail.solutionId === solutionId).map((detail) =>
          String(detail.status),
        );
        expect(
          isSubsequenceOfChanges(published, world, (a, b) => a === b),
          JSON.stringify(published),
        ).toBe(true);
        if (lastChangeTold(world))
          expect((await local.stack.repositories.solutions.get(solutionId))?.status).toBe(
            world.changes.at(-1)?.state,
          );
      }),
      RUNS,
    );
  });

  it('threads: one event per real change, in order, ending on the truth', async () => {
    await fc.assert(
      fc.asyncProperty(threadWorld(5), async (world) => {
        const userId = String(772_000_000_000_000 + sequence++);
        const observations = threadObservations(world, '1029384756102938', userId);
        for (const observation of leasedInOrder(arrivalOrder(observations, world.order)))
          await local.stack.repositories.threads.apply(observation);
        const published = eventsOf((detail) => detail.userId === userId).map(
          (detail) => (detail.ownerAppId as string | null) ?? null,
        );
        expect(
          isSubsequenceOfChanges(published, world, (a, b) => a === b),
          JSON.stringify(published),
        ).toBe(true);
        const thread = await local.stack.repositories.threads.get('1029384756102938', userId);
        if (lastChangeTold(world) && world.changes.length > 0 && thread !== undefined && !thread.expired)
          expect(thread.ownerAppId).toBe(world.changes.at(-1)?.state);
      }),
      RUNS,
    );
  });
});
