import { randomBytes } from 'node:crypto';
import type { SandboxRequest, SandboxState } from '../../platform/sandbox/context.js';
import { ok } from '../../platform/sandbox/context.js';
import {
  GraphFailure,
  graphSolution,
  PERMISSIONS,
  SOLUTION_TRANSITIONS,
} from '../../platform/sandbox/data.js';

/** `GET /<SOLUTION_ID>`, its business tokens, and the solution state machine (accept, reject, deactivation). */
export const answerSolution = (state: SandboxState, request: SandboxRequest) => {
  const { method, node, edge, query } = request;
  const solution = state.solutions.get(node);
  if (solution === undefined) return undefined;
  if (method === 'GET' && edge === undefined) {
    return ok({
      ...graphSolution(solution),
      owner_permissions: PERMISSIONS,
      partners: {
        data: [
          {
            partner_permissions: solution.permissions,
            partner_app: solution.partnerApp,
            id: `${solution.id}1`,
            status: 'ACCEPTED',
          },
        ],
      },
    });
  }
  if (method === 'GET' && edge === 'access_token') {
    if (query.business_id === undefined) throw new GraphFailure(400, 100, 'business_id is required');
    return ok({ data: [{ access_token: `EAAsandbox${randomBytes(12).toString('hex')}` }] });
  }
  const transition = edge === undefined ? undefined : SOLUTION_TRANSITIONS[edge];
  if (method !== 'POST' || transition === undefined) return undefined;
  if (!transition.from.includes(solution.status))
    throw new GraphFailure(
      400,
      100,
      `solution is ${solution.status}; ${edge} needs ${transition.from.join(' or ')}`,
      2388098,
    );
  if (transition.ownerOnly && !solution.ownedByUs)
    throw new GraphFailure(400, 10, 'only the solution owner can do this');
  if (transition.invitedOnly && solution.ownedByUs)
    throw new GraphFailure(400, 10, 'only the invited partner can do this');
  solution.status = transition.to;
  solution.status_for_pending_request =
    transition.to === 'PENDING_DEACTIVATION' ? 'PENDING_DEACTIVATION' : 'NONE';
  state.notify(solution);
  // Meta's deactivation answers return the solution object; the others say {"success": true}.
  const answersWithSolution =
    edge === 'accept_deactivation_request' || edge === 'reject_deactivation_request';
  return ok(
    answersWithSolution ? { ...graphSolution(solution), owner_permissions: PERMISSIONS } : { success: true },
  );
};
