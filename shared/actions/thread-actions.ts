import { appName } from '../domain/apps.js';
import { eventIdOf } from '../domain/event-id.js';
import { idOrNull, toMilliseconds } from '../domain/fields.js';
import type { Thread, ThreadEvent } from '../domain/thread.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { type GraphClient, graphPath } from '../graph/client.js';
import { bodyId } from '../http/request.js';
import type { SecretSource } from '../secrets/meta-secrets.js';
import { type PageTokens, pageTokenFor } from '../secrets/page-tokens.js';
import type { ThreadRepository } from '../store/repositories.js';

export type ThreadAction = 'take' | 'pass' | 'request' | 'release' | 'extend' | 'metadata';

/** Meta lets control be extended by at most 7 days. */
export const MAX_EXTEND_SECONDS = 7 * 24 * 60 * 60;
/** Meta's limit for handover metadata. */
export const MAX_METADATA_LENGTH = 1000;

const EDGES: Record<ThreadAction, string> = {
  take: 'take_thread_control',
  pass: 'pass_thread_control',
  request: 'request_thread_control',
  release: 'release_thread_control',
  extend: 'extend_thread_control',
  metadata: 'pass_thread_metadata',
};

interface ActionInput {
  metadata?: string;
  targetAppId?: string;
  durationSeconds?: number;
}

const optionalMetadata = (body: Record<string, unknown>, required: boolean): string | undefined => {
  const value = body.metadata;
  if (value === undefined || value === null) {
    if (required) throw new BadRequestError('metadata is required');
    return undefined;
  }
  if (typeof value !== 'string') throw new BadRequestError('metadata must be a string');
  if (value.length > MAX_METADATA_LENGTH)
    throw new BadRequestError(`metadata is longer than ${MAX_METADATA_LENGTH} characters`);
  return value;
};

const appIdField = (body: Record<string, unknown>): string => bodyId(body, 'targetAppId');

/** Validates an action's body; 400 names what is wrong. */
export const parseThreadInput = (action: ThreadAction, body: Record<string, unknown>): ActionInput => {
  switch (action) {
    case 'pass':
      return { targetAppId: appIdField(body), metadata: optionalMetadata(body, false) };
    case 'metadata':
      return { targetAppId: appIdField(body), metadata: optionalMetadata(body, true) };
    case 'extend': {
      const duration = body.durationSeconds;
      if (
        typeof duration !== 'number' ||
        !Number.isInteger(duration) ||
        duration < 1 ||
        duration > MAX_EXTEND_SECONDS
      ) {
        throw new BadRequestError(
          `durationSeconds must be a whole number of seconds from 1 to ${MAX_EXTEND_SECONDS} (7 days)`,
        );
      }
      return { durationSeconds: duration };
    }
    default:
      return { metadata: optionalMetadata(body, false) };
  }
};

interface ThreadOwnerResponse {
  data?: { thread_owner?: { app_id?: unknown; expiration?: unknown } }[];
}

const ownerFrom = (
  response: ThreadOwnerResponse | undefined,
): { ownerAppId: string | null; expiresAt: number | null } => {
  const owner = response?.data?.[0]?.thread_owner;
  const expiration =
    typeof owner?.expiration === 'number' ? owner.expiration : Number(owner?.expiration ?? Number.NaN);
  return {
    ownerAppId: idOrNull(owner?.app_id),
    expiresAt: Number.isFinite(expiration) ? toMilliseconds(expiration) : null,
  };
};

export interface ThreadActionDeps {
  graph: GraphClient;
  threads: ThreadRepository;
  pageTokens: SecretSource<PageTokens>;
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

  /** `GET /<PAGE_ID>/thread_owner`, recorded as an observation, then the read model. */
  public async refresh(pageId: string, userId: string): Promise<Thread> {
    const response = await this.deps.graph.request<ThreadOwnerResponse>({
      path: graphPath(pageId, 'thread_owner'),
      query: { recipient: userId },
      token: pageTokenFor(this.deps.pageTokens, pageId),
    });
    const { ownerAppId, expiresAt } = ownerFrom(response);
    return this.record(pageId, userId, { kind: 'observed', ownerAppId, expiresAt, metadata: null });
  }

  public async perform(
    pageId: string,
    userId: string,
    action: ThreadAction,
    input: ActionInput,
  ): Promise<Thread> {
    const current = await this.deps.threads.get(pageId, userId);
    this.guard(action, current, input);
    const response = await this.deps.graph.request<ThreadOwnerResponse>({
      method: 'POST',
      path: graphPath(pageId, EDGES[action]),
      query: {
        recipient: JSON.stringify({ id: userId }),
        target_app_id: input.targetAppId,
        metadata: input.metadata,
        duration: input.durationSeconds === undefined ? undefined : String(input.durationSeconds),
      },
      token: pageTokenFor(this.deps.pageTokens, pageId),
    });
    const metadata = input.metadata ?? null;
    const { appId } = this.deps;
    const previous = current?.ownerAppId ?? null;
    switch (action) {
      case 'take': {
        const owner = ownerFrom(response);
        return this.record(pageId, userId, {
          kind: 'take',
          previousOwnerAppId: previous,
          newOwnerAppId: owner.ownerAppId ?? appId,
          expiresAt: owner.expiresAt,
          metadata,
        });
      }
      case 'pass':
        return this.record(pageId, userId, {
          kind: 'pass',
          previousOwnerAppId: previous ?? appId,
          newOwnerAppId: input.targetAppId ?? null,
          expiresAt: null,
          metadata,
        });
      case 'release':
        return this.record(pageId, userId, {
          kind: 'release',
          previousOwnerAppId: previous ?? appId,
          newOwnerAppId: null,
          expiresAt: null,
          metadata,
        });
      case 'request':
        return this.record(pageId, userId, { kind: 'request', requestedOwnerAppId: appId, metadata });
      case 'extend':
        return this.record(pageId, userId, {
          kind: 'extend',
          expiresAt: this.now() + (input.durationSeconds ?? 0) * 1000,
          metadata: null,
        });
      case 'metadata':
        return this.record(pageId, userId, { kind: 'metadata', callerAppId: appId, metadata });
    }
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
    if ((action === 'release' || action === 'extend') && !ours)
      conflict(`only the app in control can ${action}; the owner is ${name(owner)}`);
    if (action === 'pass' && input.targetAppId === owner && owner !== null)
      conflict(`${name(owner)} already controls this thread`);
  }

  private async record(
    pageId: string,
    userId: string,
    fields: DistributiveOmit<ThreadEvent, 'pageId' | 'userId' | 'timeMs' | 'eventId' | 'source'>,
  ): Promise<Thread> {
    const timeMs = this.now();
    const event = {
      ...fields,
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
