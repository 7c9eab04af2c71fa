import type { ActionGuard } from '../../platform/http/action-guard.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { jsonObjectBody, pageSize, pathId, queryParameter } from '../../platform/http/request.js';
import { found, json } from '../../platform/http/response.js';
import type { HttpApiEvent } from '../../platform/http/types.js';
import { parseReviewedTerms, type SolutionAction, type SolutionActions } from './actions.js';
import type { SolutionReads } from './repository.js';

/** The read API's solution routes. */
export const solutionReadRoutes = (reads: SolutionReads) =>
  ({
    'solutions.list': async (event) =>
      json(200, await reads.list(pageSize(event), queryParameter(event, 'cursor'))),
    'solutions.get': async (event) => {
      const solutionId = pathId(event, 'solutionId');
      return found(await reads.get(solutionId), `solution ${solutionId}`);
    },
  }) satisfies RouteHandlers;

/** The solution actions: each POST runs under the guard (one action per solution at a time, `Idempotency-Key`). */
export const solutionActionRoutes = (actions: SolutionActions, guard: ActionGuard) => {
  const solution = (action: SolutionAction) => async (event: HttpApiEvent) => {
    const terms = action === 'accept' ? parseReviewedTerms(jsonObjectBody(event)) : {};
    const solutionId = pathId(event, 'solutionId');
    return guard.perform(event, `solution#${solutionId}`, async (context) =>
      json(200, await actions.perform(solutionId, action, terms, context)),
    );
  };
  return {
    'solutions.accept': solution('accept'),
    'solutions.reject': solution('reject'),
    'solutions.deactivate': solution('deactivation'),
    'solutions.acceptDeactivation': solution('deactivation/accept'),
    'solutions.rejectDeactivation': solution('deactivation/reject'),
  } satisfies RouteHandlers;
};
