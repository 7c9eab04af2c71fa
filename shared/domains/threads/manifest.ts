import type { DomainManifest } from '../../platform/domain/domain.js';
import { route } from '../../platform/http/routes.js';

/** Environment variables of the threads domain's own settings. */
export const THREAD_ENV = {
  pageTokensSecretArn: 'PAGE_TOKENS_SECRET_ARN',
  instagramPages: 'META_INSTAGRAM_PAGES',
} as const;

export const THREAD_EVENTS = { ownerChanged: 'Thread Owner Changed' } as const;

/** The Handover Protocol's notifications: each names a change of thread control (or a page's app roles). */
export const HANDOVER_KINDS = [
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'pass_metadata',
  'app_roles',
] as const;

const HANDOVERS: ReadonlySet<string> = new Set(HANDOVER_KINDS);

/** Messenger and Instagram conversations: which app owns each thread (Handover Protocol). */
export const threadsManifest = {
  name: 'threads',
  title: 'Threads',
  table: {
    partitionKey: 'pageId',
    sortKey: 'userId',
    // How an erasure finds a user's threads (a PSID or IGSID, on whichever page): keys only.
    indexes: [{ name: 'byUser', partitionKey: 'userId', sortKey: 'pageId', projection: 'keys' }],
    personalData: true,
  },
  takes: (change) =>
    (change.object === 'page' || change.object === 'instagram') && HANDOVERS.has(change.kind),
  messagingKinds: HANDOVER_KINDS,
  routes: [
    route('pages.get', 'GET', '/v1/pages/{pageId}', 'api'),
    route('threads.get', 'GET', '/v1/threads/{pageId}/{userId}', 'actions'),
    route('threads.take', 'POST', '/v1/threads/{pageId}/{userId}/take', 'actions'),
    route('threads.pass', 'POST', '/v1/threads/{pageId}/{userId}/pass', 'actions'),
    route('threads.request', 'POST', '/v1/threads/{pageId}/{userId}/request', 'actions'),
    route('threads.release', 'POST', '/v1/threads/{pageId}/{userId}/release', 'actions'),
    route('threads.extend', 'POST', '/v1/threads/{pageId}/{userId}/extend', 'actions'),
    route('threads.metadata', 'POST', '/v1/threads/{pageId}/{userId}/metadata', 'actions'),
  ],
  eventTypes: Object.values(THREAD_EVENTS),
} as const satisfies DomainManifest;
