import type { Item } from '../../kernel/registers.js';
import { type DomainEvent, domainEvent } from '../../platform/events/domain-event.js';
import { SOLUTION_EVENTS } from './manifest.js';
import { projectSolution, sameSolutionState } from './solution.js';

/** `Solution Status Changed` when the status (or a waiting request) changed. */
export const solutionEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  const [old, now] = [projectSolution(before), projectSolution(after)];
  if (now === undefined || (old !== undefined && sameSolutionState(old, now))) return [];
  return [
    domainEvent(
      SOLUTION_EVENTS.statusChanged,
      {
        solutionId: now.solutionId,
        status: now.status,
        previousStatus: old?.status ?? null,
        pendingRequest: now.pendingRequest,
        statusChangedAt: now.statusChangedAt,
      },
      after,
    ),
  ];
};
