import { deactivationPending, type Solution } from './solution.js';

export type SolutionAction =
  | 'accept'
  | 'reject'
  | 'deactivation'
  | 'deactivation/accept'
  | 'deactivation/reject';

export interface ActionRule {
  /** Graph edge called with POST /<SOLUTION_ID>/<edge>. */
  edge: string;
  /** Statuses in which the action is allowed; anything else is a 409 without calling Meta. */
  allowedFrom: readonly string[];
  /** Whether the solution, as recorded, allows the action (status, or the request pending beside it). */
  allows: (solution: Pick<Solution, 'status' | 'pendingRequest'>) => boolean;
  /** The status the solution has once Meta said yes. */
  resultingStatus: string;
  /** Whether Meta's state shows the action done: how an unconfirmed call is settled by reading it. */
  done: (solution: Pick<Solution, 'status' | 'pendingRequest'>) => boolean;
  why: string;
}

export const awaitingOurAnswer = (solution: Pick<Solution, 'status' | 'pendingRequest'>): boolean =>
  solution.status === 'INITIATED' ||
  solution.status === 'PENDING' ||
  solution.pendingRequest === 'PENDING_ACTIVATION';

/** The reference's state rules (Multi-Partner Solutions: accepting, editing and deactivating). */
export const SOLUTION_ACTIONS: Record<SolutionAction, ActionRule> = {
  accept: {
    edge: 'accept',
    allowedFrom: ['INITIATED', 'PENDING'],
    allows: (solution) => awaitingOurAnswer(solution),
    resultingStatus: 'ACTIVE',
    done: (solution) => solution.status === 'ACTIVE' && !awaitingOurAnswer(solution),
    why: 'only a solution waiting for our answer (INITIATED or PENDING) can be accepted; accepted solutions cannot be declined',
  },
  reject: {
    edge: 'reject',
    allowedFrom: ['INITIATED', 'PENDING'],
    allows: (solution) => awaitingOurAnswer(solution),
    resultingStatus: 'REJECTED',
    done: (solution) => solution.status === 'REJECTED',
    why: 'only a solution waiting for our answer (INITIATED or PENDING) can be rejected',
  },
  deactivation: {
    edge: 'send_deactivation_request',
    allowedFrom: ['ACTIVE'],
    allows: (solution) => solution.status === 'ACTIVE' && !deactivationPending(solution),
    resultingStatus: 'PENDING_DEACTIVATION',
    done: deactivationPending,
    why: 'only an ACTIVE solution can be asked to deactivate',
  },
  'deactivation/accept': {
    edge: 'accept_deactivation_request',
    allowedFrom: ['PENDING_DEACTIVATION'],
    allows: deactivationPending,
    resultingStatus: 'DEACTIVATED',
    done: (solution) => solution.status === 'DEACTIVATED',
    why: 'there is no pending deactivation request (status or pendingRequest must be PENDING_DEACTIVATION)',
  },
  'deactivation/reject': {
    edge: 'reject_deactivation_request',
    allowedFrom: ['PENDING_DEACTIVATION'],
    allows: deactivationPending,
    resultingStatus: 'ACTIVE',
    done: (solution) => solution.status === 'ACTIVE' && !deactivationPending(solution),
    why: 'there is no pending deactivation request (status or pendingRequest must be PENDING_DEACTIVATION)',
  },
};
