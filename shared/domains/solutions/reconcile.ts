import { eventIdOf } from '../../kernel/event-id.js';
import { idOrNull } from '../../kernel/fields.js';
import type { MetaIdentity } from '../../platform/config/env.js';
import { type PassTally, text } from '../../platform/graph/listing.js';
import type { SolutionRepository } from './repository.js';
import { pendingRequestOf, type SolutionEvent, sameSolutionState } from './solution.js';

/** A solution as `GET /<APP_ID>/whatsapp_business_solutions` lists it. */
export interface GraphSolution {
  id?: unknown;
  name?: unknown;
  status?: unknown;
  status_for_pending_request?: unknown;
}

export const SOLUTION_FIELDS = 'id,name,status,status_for_pending_request';

export interface SolutionsPassDeps {
  solutions: SolutionRepository;
  identity: MetaIdentity;
  now: () => number;
  tally: PassTally<'pages' | 'invalidEntries' | 'solutionsSeen' | 'solutionsChanged'>;
}

/**
 * Records one page of our app's solutions: a reading is written only when status, name or pending request differ.
 * `takenAt`: when the page's request was sent; the readings carry it (never the time they are written), so one
 * taken before a webhook ranks below it (`readingVersion`).
 */
export const recordSolutionPage = async (
  deps: SolutionsPassDeps,
  page: readonly GraphSolution[],
  takenAt: number,
): Promise<void> => {
  const observedAt = takenAt;
  const { tally } = deps;
  tally.count('pages');
  for (const solution of page) {
    const id = idOrNull(solution.id);
    const status = text(solution.status);
    if (id === null || status === null) {
      tally.count('invalidEntries');
      continue;
    }
    tally.count('solutionsSeen');
    const current = await deps.solutions.get(id);
    const name = text(solution.name);
    const pending = pendingRequestOf(solution.status_for_pending_request);
    if (
      current !== undefined &&
      sameSolutionState(current, { status, pendingRequest: pending }) &&
      current.name === name
    )
      continue;
    const reading: SolutionEvent = {
      solutionId: id,
      status,
      event: 'RECONCILED',
      businessId: deps.identity.businessId || null,
      timeMs: observedAt,
      eventId: eventIdOf({ solutionId: id, status, name, pending, observedAt }),
      source: 'reconciliation',
      name,
      pendingRequest: pending,
    };
    await deps.solutions.apply(reading);
    if (current === undefined || !sameSolutionState(current, { status, pendingRequest: pending }))
      tally.count('solutionsChanged');
  }
};
