import { ConflictError, SwitchboardError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphApiError, type GraphErrorBody, GraphOutcomeUnknownError } from '../../platform/graph/errors.js';
import type { FinalAnswer } from '../../platform/http/action-guard.js';
import type { ThreadControlAction, WhatsappFact } from './facts.js';
import { TAKE_NOT_PERMITTED, type ThreadControlInput } from './input.js';
import type { WhatsappThreadRepository } from './repository.js';
import { isPhoneNumber } from './user-id.js';
import { ESCALATION, US, type WhatsappThread } from './view.js';

const refusesTake = (graph: GraphErrorBody): boolean =>
  graph.code === TAKE_NOT_PERMITTED || graph.error_subcode === TAKE_NOT_PERMITTED;

/** 403 with Meta's own code: only the escalation partner may take (a routing setting of the business). */
export class NotEscalationPartnerError extends SwitchboardError {
  public constructor(private readonly refusal: GraphApiError) {
    super(
      403,
      'not_escalation_partner',
      `Meta refused: only the escalation partner may take a thread (${refusal.graph.message})`,
    );
  }

  public override body(): Record<string, unknown> {
    return { ...this.refusal.body(), error: this.code, message: this.message };
  }
}

/**
 * 504: the call went out and Meta did not answer. Meta has no read of a WhatsApp thread's owner, so this cannot
 * be settled by reading: it is recorded as unknown (the thread reads owner null until Meta's next webhook or
 * our next confirmed call), and the answer is final: a retry with the same Idempotency-Key sees it again.
 */
export class ThreadControlOutcomeUnknownError extends SwitchboardError implements FinalAnswer {
  public readonly finalAnswer = true;

  public constructor(action: ThreadControlAction, cause: Error, recorded: boolean) {
    super(
      504,
      'meta_outcome_unknown',
      `Meta did not answer ${action}; it may or may not have acted, and it is not sent again. ${recorded ? 'Recorded as unknown: the thread reads owner null until a webhook or a confirmed call says more' : 'Recording that failed too: the thread reads as before'}`,
      { action, recorded },
    );
    this.cause = cause;
  }
}

export interface WhatsappThreadActionDeps {
  graph: GraphClient;
  threads: WhatsappThreadRepository;
  now?: () => number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Fields = DistributiveOmit<WhatsappFact, 'phoneNumberId' | 'userId' | 'timeMs' | 'eventId'>;

/**
 * Conversation Routing's thread control (`POST /{phone_number_id}/thread_control`), recorded from Meta's answers:
 * no webhook tells the caller what its own pass, take or release did.
 */
export class WhatsappThreadActions {
  private readonly now: () => number;

  public constructor(private readonly deps: WhatsappThreadActionDeps) {
    this.now = deps.now ?? Date.now;
  }

  public async perform(
    phoneNumberId: string,
    userId: string,
    action: ThreadControlAction,
    input: ThreadControlInput,
    context: { settleFirst: boolean } = { settleFirst: false },
  ): Promise<WhatsappThread> {
    this.guard(action, await this.deps.threads.get(phoneNumberId, userId));
    // An earlier attempt died without an answer and may have reached Meta, which has no owner read to settle it
    // with: its outcome is unknown, recorded as such, and the call is not sent again.
    if (context.settleFirst)
      await this.unknownOutcome(
        phoneNumberId,
        userId,
        action,
        new Error('an earlier attempt died unanswered'),
      );
    const aiAgent = action === 'pass' && input.targetRole === 'ai_agent';
    const targetRole = action === 'pass' ? (input.targetRole ?? ESCALATION) : null;
    try {
      await this.deps.graph.request({
        method: 'POST',
        path: graphPath(phoneNumberId, 'thread_control'),
        body: {
          messaging_product: 'whatsapp',
          ...(isPhoneNumber(userId) ? { to: userId } : { recipient: userId }),
          action,
          ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
          ...(aiAgent ? { control_pass: { target_role: 'ai_agent' } } : {}),
        },
      });
    } catch (error) {
      if (error instanceof GraphOutcomeUnknownError)
        await this.unknownOutcome(phoneNumberId, userId, action, error, targetRole);
      if (error instanceof GraphApiError && refusesTake(error.graph))
        throw new NotEscalationPartnerError(error);
      throw error;
    }
    return this.record(phoneNumberId, userId, { kind: action, targetRole, metadata: input.metadata ?? null });
  }

  /** Recorded if the table takes it; the answer is final either way (504), so the call is never sent again. */
  private async unknownOutcome(
    phoneNumberId: string,
    userId: string,
    action: ThreadControlAction,
    cause: Error,
    targetRole: string | null = null,
  ): Promise<never> {
    const unknown = { kind: 'unknown' as const, action, targetRole, reason: cause.message };
    const recorded = await this.record(phoneNumberId, userId, unknown).then(
      () => true,
      () => false,
    );
    throw new ThreadControlOutcomeUnknownError(action, cause, recorded);
  }

  /**
   * What the recorded facts already rule out: 409, and Meta is not called. Taking a thread we own; passing or
   * releasing one a fact says someone else holds. An idle or unknown thread is Meta's to decide.
   */
  private guard(action: ThreadControlAction, current: WhatsappThread | undefined): void {
    const owner = current?.owner ?? null;
    if (action === 'take' && owner === US)
      throw new ConflictError('our app already owns this thread', { owner, action });
    if (action !== 'take' && owner !== null && owner !== US)
      throw new ConflictError(`only the owner can ${action}; the thread is owned by ${owner}`, {
        owner,
        action,
      });
  }

  private async record(phoneNumberId: string, userId: string, fields: Fields): Promise<WhatsappThread> {
    const timeMs = this.now();
    const fact = {
      ...fields,
      phoneNumberId,
      userId,
      timeMs,
      eventId: eventIdOf({ phoneNumberId, userId, timeMs, ...fields }),
    } as WhatsappFact;
    await this.deps.threads.apply(fact);
    const thread = await this.deps.threads.get(phoneNumberId, userId);
    if (thread === undefined) throw new Error(`thread ${phoneNumberId} vanished after a write`);
    return thread;
  }
}
