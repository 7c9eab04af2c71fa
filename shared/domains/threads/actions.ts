import { ConflictError, errorMessage, NotFoundError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphApiError, GraphOutcomeUnknownError, noGraphBody } from '../../platform/graph/errors.js';
import { type ActionContext, ActionUnsettledError } from '../../platform/http/action-guard.js';
import type { SecretSource } from '../../platform/secrets/meta-secrets.js';
import { appName } from './apps.js';
import { type ActionInput, EDGES, type ThreadAction } from './input.js';
import { type InstagramPages, InstagramPageUnknownError } from './instagram-pages.js';
import { ownerAfter, ownerFrom, showsOwner, type ThreadOwnerResponse } from './owner.js';
import { type PageTokens, pageTokenFor } from './page-tokens.js';
import type { ThreadRepository } from './repository.js';
import type { Platform, Thread, ThreadEvent } from './thread.js';

/** Where Meta's conversation-control calls for a thread go, and what the recorded events say about it. */
interface ControlTarget {
  /** The Page in the Graph path (and whose token is used). */
  pageId: string;
  platform?: Platform;
  controlPageId?: string;
}

export interface ThreadActionDeps {
  graph: GraphClient;
  threads: ThreadRepository;
  pageTokens: SecretSource<PageTokens>;
  /** Instagram account → linked Page; without it every thread's ID is taken for a Page. */
  instagramPages?: InstagramPages;
  /** Our app's ID: the app that takes, passes and releases. */
  appId: string;
  now?: () => number;
}

/**
 * Conversation control through Meta (Handover Protocol), recorded from Meta's answers: some of these
 * changes (taking an idle thread, releasing one) arrive by no webhook at all.
 */
export class ThreadActions {
  private readonly now: () => number;

  public constructor(private readonly deps: ThreadActionDeps) {
    this.now = deps.now ?? Date.now;
  }

  public async read(pageId: string, userId: string): Promise<Thread> {
    const thread = await this.deps.threads.get(pageId, userId);
    if (thread === undefined) throw new NotFoundError(`nothing is known about thread ${pageId}/${userId}`);
    return thread;
  }

  /**
   * `GET /<PAGE_ID>/thread_owner`, recorded as a reading taken when its request was sent (never when it is
   * written: `readingVersion`), then the read model. The caller holds the thread's action lease.
   */
  public async refresh(pageId: string, userId: string): Promise<Thread> {
    const target = await this.targetOf(pageId, await this.deps.threads.get(pageId, userId));
    const takenAt = this.now();
    const owner = ownerFrom(await this.readOwner(target.pageId, userId));
    return this.record(
      pageId,
      userId,
      target,
      {
        kind: 'observed',
        ownerAppId: owner?.ownerAppId ?? null,
        ...(owner?.ownerUnknown === true ? { ownerUnknown: true } : {}),
        expiresAt: owner?.expiresAt ?? null,
        metadata: null,
      },
      takenAt,
    );
  }

  /** `GET /<PAGE_ID>/thread_owner`; an answer without `data` said nothing about the owner (never read as idle). */
  private async readOwner(pageId: string, userId: string): Promise<ThreadOwnerResponse> {
    const path = graphPath(pageId, 'thread_owner');
    const response = await this.deps.graph.request<ThreadOwnerResponse>({
      path,
      query: { recipient: userId },
      token: pageTokenFor(this.deps.pageTokens, pageId),
    });
    if (!Array.isArray(response?.data))
      throw new GraphApiError(200, noGraphBody('Graph answered thread_owner without a data array'), path);
    return response;
  }

  /**
   * The thread's ID names a Page, or an Instagram account whose linked Page takes the calls. A thread known to
   * be on Instagram is never sent to Meta under the account's own ID (that call would fail or act elsewhere).
   */
  private async targetOf(pageId: string, current: Thread | undefined): Promise<ControlTarget> {
    const linked = await this.deps.instagramPages?.pageFor(pageId);
    if (linked !== undefined) return { pageId: linked, platform: 'instagram', controlPageId: linked };
    if (current?.platform === 'instagram') throw new InstagramPageUnknownError(pageId);
    return { pageId };
  }

  /**
   * Acts through Meta and records its answer. With `settleFirst` (an earlier attempt died without an answer:
   * `ActionContext`), Meta's `thread_owner` is read first, and when it shows the action done that reading is
   * the answer: recorded, and no POST.
   */
  public async perform(
    pageId: string,
    userId: string,
    action: ThreadAction,
    input: ActionInput,
    context: ActionContext = { settleFirst: false },
  ): Promise<Thread> {
    const current = await this.deps.threads.get(pageId, userId);
    if (!context.settleFirst) this.guard(action, current, input);
    const target = await this.targetOf(pageId, current);
    const done = context.settleFirst
      ? await this.doneAlready(target.pageId, userId, action, input)
      : undefined;
    if (context.settleFirst && done === undefined) this.guard(action, current, input);
    const response = done ?? (await this.send(target.pageId, userId, action, input));
    return this.recordAnswer(pageId, userId, target, current, action, input, response);
  }

  private send(pageId: string, userId: string, action: ThreadAction, input: ActionInput) {
    return this.deps.graph
      .request<ThreadOwnerResponse>({
        method: 'POST',
        path: graphPath(pageId, EDGES[action]),
        query: {
          recipient: JSON.stringify({ id: userId }),
          target_app_id: input.targetAppId,
          metadata: input.metadata,
          duration: input.durationSeconds === undefined ? undefined : String(input.durationSeconds),
        },
        token: pageTokenFor(this.deps.pageTokens, pageId),
      })
      .catch((error: unknown) => this.settle(pageId, userId, action, input, error));
  }

  /** What Meta answered (or showed), recorded as the action's fact. */
  private recordAnswer(
    pageId: string,
    userId: string,
    target: ControlTarget,
    current: Thread | undefined,
    action: ThreadAction,
    input: ActionInput,
    response: ThreadOwnerResponse,
  ): Promise<Thread> {
    const metadata = input.metadata ?? null;
    const { appId } = this.deps;
    const previous = current?.ownerAppId ?? null;
    const record = (fields: ActionFields) => this.record(pageId, userId, target, fields);
    switch (action) {
      case 'take': {
        // The earlier answer names the owner; Conversation Routing's is just {"success": true}: we own it.
        const owner = ownerFrom(response);
        return record({
          kind: 'take',
          previousOwnerAppId: previous,
          newOwnerAppId: owner?.ownerAppId ?? appId,
          expiresAt: owner?.expiresAt ?? null,
          metadata,
        });
      }
      case 'pass':
        return record({
          kind: 'pass',
          previousOwnerAppId: previous ?? appId,
          newOwnerAppId: input.targetAppId ?? null,
          expiresAt: null,
          metadata,
        });
      case 'release':
        return record({
          kind: 'release',
          previousOwnerAppId: previous ?? appId,
          newOwnerAppId: null,
          expiresAt: null,
          metadata,
        });
      case 'request':
        return record({ kind: 'request', requestedOwnerAppId: appId, metadata });
      case 'extend':
        return record({
          kind: 'extend',
          expiresAt: this.now() + (input.durationSeconds ?? 0) * 1000,
          metadata: null,
        });
      case 'metadata':
        return record({ kind: 'metadata', callerAppId: appId, metadata });
    }
  }

  /**
   * A call Meta did not confirm (timed out, reset, 5xx) may have acted: `thread_owner` says whether control
   * moved as asked. It did: that answer stands for Meta's. It did not, or cannot be told (request, extend,
   * metadata): the 504 stands and nothing is recorded, so the client's retry acts again.
   */
  private async settle(
    pageId: string,
    userId: string,
    action: ThreadAction,
    input: ActionInput,
    error: unknown,
  ): Promise<ThreadOwnerResponse> {
    const expected = ownerAfter(action, input, this.deps.appId);
    if (!(error instanceof GraphOutcomeUnknownError) || expected === undefined) throw error;
    const reading = await this.readOwner(pageId, userId).catch(() => undefined);
    if (!showsOwner(reading, expected) || reading === undefined) throw error;
    return reading;
  }

  /**
   * Before acting again after an attempt that died without an answer: Meta's `thread_owner` when it shows the
   * action done (the answer to record; nothing is sent), undefined when it shows it not done. Unreadable: nothing
   * is sent (`ActionUnsettledError`, 503, retried). Request, extend and metadata leave nothing `thread_owner`
   * shows: they are sent again (the same request, the same expiry window, the same metadata once more).
   */
  private async doneAlready(
    pageId: string,
    userId: string,
    action: ThreadAction,
    input: ActionInput,
  ): Promise<ThreadOwnerResponse | undefined> {
    const expected = ownerAfter(action, input, this.deps.appId);
    if (expected === undefined) return undefined;
    const reading = await this.readOwner(pageId, userId).catch((error: unknown) => {
      throw new ActionUnsettledError(`thread ${pageId}/${userId}`, errorMessage(error));
    });
    return showsOwner(reading, expected) ? reading : undefined;
  }

  /** What the recorded state already rules out: 409, and Meta is not called. */
  private guard(action: ThreadAction, current: Thread | undefined, input: ActionInput): void {
    const owner = current?.ownerAppId ?? null;
    const ours = owner === this.deps.appId;
    const name = (id: string | null) =>
      id === null ? 'nobody (idle)' : `${id}${appName(id) ? ` (${appName(id)})` : ''}`;
    const conflict = (reason: string) => {
      throw new ConflictError(reason, { ownerAppId: owner, action });
    };
    if ((action === 'take' || action === 'request') && ours) conflict(`our app already controls this thread`);
    // A thread owned by an app Meta did not name may be ours: Meta decides. A thread never seen reads idle.
    const ownerUnnamed = current?.ownerKnown === false;
    if ((action === 'release' || action === 'extend') && !ours && !ownerUnnamed)
      conflict(`only the app in control can ${action}; the owner is ${name(owner)}`);
    if (action === 'pass' && input.targetAppId === owner && owner !== null)
      conflict(`${name(owner)} already controls this thread`);
  }

  /**
   * Records an action's answer (a fact, at the time Meta's answer came) or a reading (`observed`, at `takenAt`:
   * when its request was sent), then the read model.
   */
  private async record(
    pageId: string,
    userId: string,
    target: ControlTarget,
    fields: ActionFields,
    takenAt?: number,
  ): Promise<Thread> {
    const timeMs = takenAt ?? this.now();
    const event = {
      ...fields,
      ...(target.platform === undefined ? {} : { platform: target.platform }),
      ...(target.controlPageId === undefined ? {} : { controlPageId: target.controlPageId }),
      pageId,
      userId,
      timeMs,
      source: 'action',
      eventId: eventIdOf({ pageId, userId, timeMs, ...fields }),
    } as ThreadEvent;
    await this.deps.threads.apply(event);
    return this.read(pageId, userId);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ActionFields = DistributiveOmit<
  ThreadEvent,
  'pageId' | 'userId' | 'timeMs' | 'eventId' | 'source' | 'platform' | 'controlPageId'
>;
