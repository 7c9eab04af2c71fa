import type { DomainManifest } from '../../platform/domain/domain.js';
import { route } from '../../platform/http/routes.js';
import { isWhatsApp } from '../../platform/queue/envelope.js';

export const SOLUTION_EVENTS = { statusChanged: 'Solution Status Changed' } as const;

/** Multi-Partner Solutions: their status, from `partner_solutions` webhooks, reconciliation and our actions. */
export const solutionsManifest = {
  name: 'solutions',
  title: 'Solutions',
  table: { partitionKey: 'solutionId', indexes: [] },
  takes: (change) => isWhatsApp(change) && change.kind === 'partner_solutions',
  routes: [
    route('solutions.list', 'GET', '/v1/solutions', 'api'),
    route('solutions.get', 'GET', '/v1/solutions/{solutionId}', 'api'),
    route('solutions.accept', 'POST', '/v1/solutions/{solutionId}/accept', 'actions'),
    route('solutions.reject', 'POST', '/v1/solutions/{solutionId}/reject', 'actions'),
    route('solutions.deactivate', 'POST', '/v1/solutions/{solutionId}/deactivation', 'actions'),
    route(
      'solutions.acceptDeactivation',
      'POST',
      '/v1/solutions/{solutionId}/deactivation/accept',
      'actions',
    ),
    route(
      'solutions.rejectDeactivation',
      'POST',
      '/v1/solutions/{solutionId}/deactivation/reject',
      'actions',
    ),
  ],
  eventTypes: Object.values(SOLUTION_EVENTS),
} as const satisfies DomainManifest;
