import { createHash, randomUUID } from 'node:crypto';
import { BadRequestError, SwitchboardError } from '../../kernel/errors.js';
import { canonicalJson } from '../../kernel/event-id.js';
import { parseJsonExact } from '../../kernel/json.js';
import type { ControlTable } from '../store/control.js';
import { headerValue, rawBodyBytes } from './request.js';
import { toErrorResponse } from './response.js';
import type { HttpApiEvent, HttpResult } from './types.js';

/** A POST action may carry this header: the same key and body within 24 hours answers the first result. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Stripe's limit: up to 255 printable characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** An action's lease outlives its budget (27 s of Graph calls) so a slow call is never overlapped. */
const ACTION_LEASE_MS = 35_000;

export class ActionInProgressError extends SwitchboardError {
  public constructor(resource: string) {
    super(
      409,
      'action_in_progress',
      `another action on ${resource} is in progress: try again once it has answered`,
      {
        resource,
      },
    );
  }
}

class IdempotencyKeyInUseError extends SwitchboardError {
  public constructor() {
    super(
      409,
      'idempotency_key_in_use',
      'a request with this Idempotency-Key is still in progress: retry once it has answered',
    );
  }
}

class IdempotencyKeyReusedError extends SwitchboardError {
  public constructor() {
    super(
      422,
      'idempotency_key_reused',
      'this Idempotency-Key was used with another request (route or body) in the last 24 hours',
    );
  }
}

/**
 * What an action learns from the guard. `settleFirst`: an earlier attempt of it, or an earlier action on the
 * same resource, died without an answer (its claim or its lease lapsed: a crash, a timeout, a 5xx) and may have
 * reached Meta. Meta's state must be read first, and the POST sent only if that state says it did not happen.
 */
export interface ActionContext {
  settleFirst: boolean;
}

/**
 * An earlier attempt may have reached Meta and Meta's state could not be read to say whether it did: nothing is
 * sent. A 503, so the answer is not kept under the key and the client's retry settles again.
 */
export class ActionUnsettledError extends SwitchboardError {
  public constructor(resource: string, detail: string) {
    super(
      503,
      'action_unsettled',
      `an earlier attempt on ${resource} may have reached Meta and Meta's state could not be read (${detail}): nothing was sent; retry`,
      { resource },
    );
  }
}

/**
 * An error whose answer is final although it is a 5xx: an action that records "Meta did not answer" because it
 * cannot settle that by reading Meta (no read exists) must be replayed to a retry, never run (sent) again.
 */
export interface FinalAnswer {
  readonly finalAnswer: true;
}

const declaresFinal = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as Partial<FinalAnswer>).finalAnswer === true;

/** What a stored answer must be for a retry to see it again: Meta's final word, or ours. */
const isFinal = (result: HttpResult, error: unknown): boolean =>
  !(error instanceof ActionInProgressError) &&
  (result.statusCode < 500 || result.statusCode === 502 || declaresFinal(error));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * What a request's body says, not how it was typed: canonical JSON (`{}`, `{ }` and no body are one request, as
 * the routes read them; key order and spacing aside). A body that is not JSON is compared as its bytes.
 */
const bodyFingerprint = (event: HttpApiEvent): string => {
  const text = rawBodyBytes(event).toString('utf8').trim();
  if (text === '') return '{}';
  try {
    return canonicalJson(parseJsonExact(text));
  } catch {
    return `raw:${text}`;
  }
};

/**
 * Exactly-once around every action that calls Meta: one action at a time per solution or thread (a short
 * conditional lease in the control table; a concurrent one answers `409 action_in_progress` without calling
 * Meta), and the `Idempotency-Key` header with Stripe's semantics (the first final answer is stored 24 hours
 * and replayed; the same key with another request is a 422; an answer that says nothing final, such as a 504
 * from a silent Meta or a 503, is not stored, so the client's retry runs again).
 */
export class ActionGuard {
  public constructor(
    private readonly control: ControlTable,
    private readonly now: () => number = Date.now,
  ) {}

  public async perform(
    event: HttpApiEvent,
    resource: string,
    run: (context: ActionContext) => Promise<HttpResult>,
  ): Promise<HttpResult> {
    const key = headerValue(event, IDEMPOTENCY_HEADER);
    if (key === undefined) return this.exclusive(resource, run);
    if (!IDEMPOTENCY_KEY.test(key))
      throw new BadRequestError('Idempotency-Key must be 1 to 255 printable ASCII characters');
    const pk = `idempotency#${sha256(key)}`;
    const fingerprint = sha256(`${event.routeKey}\n${event.rawPath}\n${bodyFingerprint(event)}`);
    const nowSeconds = Math.floor(this.now() / 1000);
    // A running claim lives only as long as the action's lease: if its process dies before answering, the
    // client's retry with the same key runs again instead of finding the key locked for a day, but settles
    // first (the claim it replaces never reached a final answer: that attempt may have reached Meta).
    const claim = await this.control.claimReporting(
      pk,
      { fingerprint, state: 'running', expiresAt: nowSeconds + Math.ceil(ACTION_LEASE_MS / 1000) },
      nowSeconds,
    );
    if (!claim.claimed) return this.replay(pk, fingerprint);
    const unanswered = claim.previous !== undefined && claim.previous.state !== 'done';
    let result: HttpResult;
    try {
      result = await this.exclusive(resource, (context) =>
        run({ settleFirst: context.settleFirst || unanswered }),
      );
    } catch (error) {
      const answer = toErrorResponse(error);
      if (isFinal(answer, error)) await this.keep(pk, answer);
      else await this.control.expire(pk, Math.floor(this.now() / 1000));
      throw error;
    }
    await this.keep(pk, result);
    return result;
  }

  /** The final answer, replayed for 24 hours from now. */
  private async keep(pk: string, answer: HttpResult): Promise<void> {
    const expiresAt = Math.floor(this.now() / 1000) + IDEMPOTENCY_TTL_SECONDS;
    await this.control.set(pk, { state: 'done', ...stored(answer), expiresAt });
  }

  private async replay(pk: string, fingerprint: string): Promise<HttpResult> {
    const item = await this.control.get(pk);
    if (item?.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (item.state !== 'done' || typeof item.statusCode !== 'number' || typeof item.body !== 'string')
      throw new IdempotencyKeyInUseError();
    return {
      statusCode: item.statusCode,
      headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
      body: item.body,
    };
  }

  /**
   * One action per resource at a time: the lease is one conditional write, released when done. A reading of
   * the resource from Meta (a thread's `thread_owner`) takes it too, so it never interleaves with an action. A
   * lease taken over from a holder that never gave it back (it died mid-action) makes the action settle first.
   */
  public async exclusive<T>(resource: string, run: (context: ActionContext) => Promise<T>): Promise<T> {
    const pk = `action#${resource}`;
    const owner = randomUUID();
    const now = this.now();
    const until = now + ACTION_LEASE_MS;
    const lease = await this.control.takeLease(pk, owner, until, now, Math.ceil(until / 1000) + 3_600);
    if (!lease.acquired) throw new ActionInProgressError(resource);
    try {
      return await run({ settleFirst: lease.lapsed });
    } finally {
      await this.control.releaseLease(pk, owner);
    }
  }
}

const stored = (result: HttpResult) => ({ statusCode: result.statusCode, body: result.body });
