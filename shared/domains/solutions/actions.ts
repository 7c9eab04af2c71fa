import { BadRequestError, ConflictError, errorMessage, NotFoundError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { idOrNull } from '../../kernel/fields.js';
import { isRecord } from '../../kernel/json.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphOutcomeUnknownError } from '../../platform/graph/errors.js';
import { type ActionContext, ActionUnsettledError } from '../../platform/http/action-guard.js';
import { bodyId } from '../../platform/http/request.js';
import { type ActionRule, SOLUTION_ACTIONS, type SolutionAction } from './action-rules.js';
import type { SolutionRepository } from './repository.js';
import { pendingRequestOf, type Solution, type SolutionEvent } from './solution.js';

export type { SolutionAction } from './action-rules.js';

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

  /**
   * With `settleFirst` (an earlier attempt died without an answer: `ActionContext`), Meta's reading of the
   * solution comes first, as it always does for accept: done already, that reading is the answer (no POST).
   */
  public async perform(
    solutionId: string,
    action: SolutionAction,
    terms: ReviewedTerms = {},
    context: ActionContext = { settleFirst: false },
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
    // where Meta had acted), the reading is the answer: recorded, and no second call. After a crash every
    // action does the same.
    const doneAlready =
      action === 'accept'
        ? await this.checkTerms(current, terms)
        : context.settleFirst
          ? await this.settledFirst(current, rule, action)
          : undefined;
    const answer =
      doneAlready ??
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

  /** After an attempt that died without an answer: Meta's reading when it shows the action done; unreadable, 503. */
  private async settledFirst(
    current: Solution,
    rule: ActionRule,
    action: SolutionAction,
  ): Promise<SolutionDetails | undefined> {
    try {
      const { done, details } = await this.readFirst(current, rule, action);
      return done ? details : undefined;
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      throw new ActionUnsettledError(`solution ${current.solutionId}`, errorMessage(error));
    }
  }

  /**
   * Meta's reading of the solution before acting (`takenAt`: before the GET): `done` when it shows the action
   * done already (the reading is then the answer to record); a reading that neither shows it done nor allows it
   * is recorded (a reading), then a 409; otherwise the action may be sent.
   */
  private async readFirst(
    current: Solution,
    rule: ActionRule,
    action: SolutionAction,
    extraFields?: string,
  ): Promise<{ done: boolean; details: SolutionDetails }> {
    const { solutionId } = current;
    const takenAt = (this.deps.now ?? Date.now)();
    const details = await this.deps.graph.request<SolutionDetails>({
      path: graphPath(solutionId),
      query: {
        fields: ['name,status,status_for_pending_request', extraFields].filter(Boolean).join(','),
      },
    });
    const metaState = {
      status: details.status ?? '',
      pendingRequest: pendingRequestOf(details.status_for_pending_request),
    };
    if (details.status !== undefined && rule.done(metaState)) return { done: true, details };
    if (details.status !== undefined && !rule.allows(metaState)) {
      await this.record(current, 'RECONCILED', statusFromAnswer(details, metaState.status), takenAt);
      throw new ConflictError(
        `Meta reports solution ${solutionId} as ${details.status}: it cannot ${action} now (${rule.why})`,
        { metaStatus: details.status },
      );
    }
    return { done: false, details };
  }

  /**
   * Accepting cannot be undone, so first read the solution from Meta: it must still wait for our answer
   * and, when the caller says what it reviewed, Meta's partner app and permissions must match. A solution
   * Meta reads as accepted already is returned (the caller records it); any other reading that no longer waits
   * is recorded, then a 409.
   */
  private async checkTerms(current: Solution, terms: ReviewedTerms): Promise<SolutionDetails | undefined> {
    const { solutionId } = current;
    const fields = 'owner_permissions,partners{partner_permissions,partner_app}';
    const { done, details } = await this.readFirst(current, SOLUTION_ACTIONS.accept, 'accept', fields);
    if (done) return details;
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
