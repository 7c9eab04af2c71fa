import { BadRequestError, ConflictError, NotFoundError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { idOrNull } from '../../kernel/fields.js';
import { isRecord } from '../../kernel/json.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphOutcomeUnknownError } from '../../platform/graph/errors.js';
import { bodyId } from '../../platform/http/request.js';
import type { SolutionRepository } from './repository.js';
import { deactivationPending, pendingRequestOf, type Solution, type SolutionEvent } from './solution.js';

export type SolutionAction =
  | 'accept'
  | 'reject'
  | 'deactivation'
  | 'deactivation/accept'
  | 'deactivation/reject';

interface ActionRule {
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

const awaitingOurAnswer = (solution: Pick<Solution, 'status' | 'pendingRequest'>): boolean =>
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

/** What the caller reviewed before accepting (optional body of the accept route). */
export interface ReviewedTerms {
  partnerAppId?: string;
  partnerPermissions?: string[];
}

interface SolutionDetails {
  name?: string;
  status?: string;
  status_for_pending_request?: unknown;
  owner_permissions?: string[];
  partners?: { data?: { partner_permissions?: string[]; partner_app?: { id?: unknown; name?: string } }[] };
}

/** Meta's permission names (`MANAGE`, `VIEW_COST`, ...); bounded so a body cannot be made huge. */
const PERMISSION = /^[A-Z][A-Z_]{0,63}$/;
const MAX_PERMISSIONS = 50;

export const parseReviewedTerms = (body: Record<string, unknown>): ReviewedTerms => {
  const terms: ReviewedTerms = {};
  if (body.partnerAppId !== undefined) terms.partnerAppId = bodyId(body, 'partnerAppId');
  if (body.partnerPermissions !== undefined) {
    const permissions: unknown = body.partnerPermissions;
    if (
      !Array.isArray(permissions) ||
      permissions.length > MAX_PERMISSIONS ||
      !permissions.every((item): item is string => typeof item === 'string' && PERMISSION.test(item))
    ) {
      throw new BadRequestError(
        `partnerPermissions must be an array of at most ${MAX_PERMISSIONS} permission names (such as MANAGE)`,
      );
    }
    terms.partnerPermissions = permissions;
  }
  return terms;
};

/**
 * `accept_deactivation_request` and `reject_deactivation_request` answer with the solution object: what Meta
 * says it is now is recorded, not what we expected. A plain `{"success": true}` means the expected status.
 */
const statusFromAnswer = (
  answer: unknown,
  expected: string,
): Pick<SolutionEvent, 'status' | 'pendingRequest' | 'name'> => {
  if (!isRecord(answer) || typeof answer.status !== 'string' || answer.status.trim() === '') {
    return { status: expected };
  }
  return {
    status: answer.status.trim(),
    ...('status_for_pending_request' in answer
      ? { pendingRequest: pendingRequestOf(answer.status_for_pending_request) }
      : {}),
    ...(typeof answer.name === 'string' ? { name: answer.name } : {}),
  };
};

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

export interface SolutionActionDeps {
  graph: GraphClient;
  solutions: SolutionRepository;
  now?: () => number;
}

/**
 * Acts on a solution through Meta and records the answer at once through the domain path (source
 * `action`), so the read model changes now and the webhook that follows is a no-op.
 */
export class SolutionActions {
  public constructor(private readonly deps: SolutionActionDeps) {}

  public async perform(
    solutionId: string,
    action: SolutionAction,
    terms: ReviewedTerms = {},
  ): Promise<Solution> {
    const rule = SOLUTION_ACTIONS[action];
    const current = await this.deps.solutions.get(solutionId);
    if (current === undefined) {
      throw new NotFoundError(
        `solution ${solutionId} is not known yet: wait for its partner_solutions webhook or run a reconciliation`,
      );
    }
    if (!rule.allows(current)) {
      throw new ConflictError(
        `cannot ${action} solution ${solutionId} in status ${current.status}: ${rule.why}`,
        {
          status: current.status,
          pendingRequest: current.pendingRequest,
          allowedFrom: rule.allowedFrom,
        },
      );
    }
    // Accepting reads Meta first; when that reading shows it accepted already (a retry after a 504 or a crash
    // where Meta had acted), the reading is the answer: recorded, and no second call.
    const acceptedAlready = action === 'accept' ? await this.checkTerms(current, terms) : undefined;
    const answer =
      acceptedAlready ??
      (await this.deps.graph
        .request<unknown>({ method: 'POST', path: graphPath(solutionId, rule.edge) })
        .catch((error: unknown) => this.settle(solutionId, rule, error)));
    return this.record(current, action, statusFromAnswer(answer, rule.resultingStatus));
  }

  /**
   * What Meta said the solution is now, recorded at once through the domain path, then the read model: an
   * action's answer is a fact at the instant it came (on Meta's whole-second clock, as its webhook of the same
   * change would be); a reading (`takenAt`: when its GET was sent) ranks below every fact of that second.
   */
  private async record(
    current: Solution,
    event: string,
    reading: Pick<SolutionEvent, 'status' | 'pendingRequest' | 'name'>,
    takenAt?: number,
  ): Promise<Solution> {
    const { solutionId } = current;
    const timeMs = takenAt ?? (this.deps.now ?? Date.now)();
    await this.deps.solutions.apply({
      solutionId,
      ...reading,
      event,
      businessId: current.businessId,
      timeMs,
      eventId: eventIdOf({ solutionId, action: event, timeMs }),
      source: takenAt === undefined ? 'action' : 'reconciliation',
    });
    const recorded = await this.deps.solutions.get(solutionId);
    if (recorded === undefined) throw new Error(`solution ${solutionId} vanished after ${event}`);
    return recorded;
  }

  /**
   * A call Meta did not confirm (timed out, reset, 5xx) may have acted: Meta's own reading of the solution
   * says whether it did. Done: that reading is the answer recorded. Not done, or unreadable: the 504 stands,
   * and nothing is recorded, so the client's retry acts again.
   */
  private async settle(solutionId: string, rule: ActionRule, error: unknown): Promise<SolutionDetails> {
    if (!(error instanceof GraphOutcomeUnknownError)) throw error;
    const details = await this.deps.graph
      .request<SolutionDetails>({
        path: graphPath(solutionId),
        query: { fields: 'name,status,status_for_pending_request' },
      })
      .catch(() => undefined);
    if (details?.status === undefined) throw error;
    const reading = {
      status: details.status,
      pendingRequest: pendingRequestOf(details.status_for_pending_request),
    };
    if (!rule.done(reading)) throw error;
    return details;
  }

  /**
   * Accepting cannot be undone, so first read the solution from Meta: it must still wait for our answer
   * and, when the caller says what it reviewed, Meta's partner app and permissions must match. A solution
   * Meta reads as accepted already is returned (the caller records it); any other reading that no longer waits
   * is recorded, then a 409.
   */
  private async checkTerms(current: Solution, terms: ReviewedTerms): Promise<SolutionDetails | undefined> {
    const { solutionId } = current;
    const takenAt = (this.deps.now ?? Date.now)();
    const details = await this.deps.graph.request<SolutionDetails>({
      path: graphPath(solutionId),
      query: {
        fields:
          'name,status,status_for_pending_request,owner_permissions,partners{partner_permissions,partner_app}',
      },
    });
    const metaState = {
      status: details.status ?? '',
      pendingRequest: pendingRequestOf(details.status_for_pending_request),
    };
    if (details.status !== undefined && SOLUTION_ACTIONS.accept.done(metaState)) return details;
    if (details.status !== undefined && !awaitingOurAnswer(metaState)) {
      await this.record(current, 'RECONCILED', statusFromAnswer(details, metaState.status), takenAt);
      throw new ConflictError(
        `Meta reports solution ${solutionId} as ${details.status}: it no longer waits for our answer`,
        {
          metaStatus: details.status,
        },
      );
    }
    if (terms.partnerAppId === undefined && terms.partnerPermissions === undefined) return undefined;
    const partners = details.partners?.data ?? [];
    const partner =
      terms.partnerAppId === undefined
        ? partners[0]
        : partners.find((entry) => idOrNull(entry.partner_app?.id) === terms.partnerAppId);
    const metaTerms = partners.map((entry) => ({
      partnerAppId: idOrNull(entry.partner_app?.id),
      partnerPermissions: entry.partner_permissions ?? [],
    }));
    const permissionsDiffer =
      terms.partnerPermissions !== undefined &&
      !sameSet(terms.partnerPermissions, partner?.partner_permissions ?? []);
    if (partner === undefined || permissionsDiffer) {
      throw new ConflictError(`solution ${solutionId} differs from what was reviewed: not accepted`, {
        reviewed: terms,
        meta: metaTerms,
      });
    }
    return undefined;
  }
}
