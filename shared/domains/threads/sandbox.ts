import { parseJsonObject } from '../../kernel/json.js';
import {
  GraphFailure,
  ok,
  requireToken,
  type SandboxPart,
  type SandboxRequest,
  type SandboxWorld,
} from '../../platform/sandbox/context.js';

/** The Instagram account of Meta's Instagram handover examples, linked to the Messenger examples' Page. */
export const SANDBOX_INSTAGRAM_LINKS: ReadonlyMap<string, string> = new Map([
  ['17841405822304914', '104508901353867'],
]);

interface ThreadsState {
  world: SandboxWorld;
  threads: Map<string, { owner: string; expiresAt: number }>;
  instagramLinks: ReadonlyMap<string, string>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_EXTEND_SECONDS = 7 * 24 * 60 * 60;
const notOurs = () => new GraphFailure(400, 10, 'your app does not control this thread', 2018300);
const seconds = (ms: number) => Math.floor(ms / 1000);

/** `GET /<PAGE_ID>?fields=instagram_business_account`: the Instagram account linked to a Page, if any. */
const answerPage = (state: ThreadsState, request: SandboxRequest) => {
  const { method, node, edge, query } = request;
  if (method !== 'GET' || edge !== undefined || !(query.fields ?? '').includes('instagram_business_account'))
    return undefined;
  requireToken(request, 'page');
  const account = [...state.instagramLinks].find(([, pageId]) => pageId === node)?.[0];
  return ok({ id: node, ...(account === undefined ? {} : { instagram_business_account: { id: account } }) });
};

/** The Handover Protocol on one page: the sandbox makes our app the Primary Receiver. */
const answerThread = (state: ThreadsState, request: SandboxRequest) => {
  const { method, node, edge, query } = request;
  if (edge === undefined || !/_thread_|thread_owner/.test(edge)) return undefined;
  requireToken(request, 'page');
  // As Meta: conversation control lives on the linked Page, never on the Instagram account's own ID.
  if (state.instagramLinks.has(node))
    throw new GraphFailure(
      400,
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${node}' does not support this operation`,
      33,
    );
  const recipient = query.recipient ?? '';
  const psid = String(parseJsonObject(recipient)?.id ?? recipient);
  if (psid === '') throw new GraphFailure(400, 100, 'recipient is required');
  const key = `${node}:${psid}`;
  const stored = state.threads.get(key);
  const current = stored === undefined || stored.expiresAt <= state.world.now() ? undefined : stored;
  const us = state.world.appId;
  switch (`${method} ${edge}`) {
    case 'GET thread_owner':
      return ok({
        data:
          current === undefined
            ? []
            : [{ thread_owner: { app_id: current.owner, expiration: seconds(current.expiresAt) } }],
      });
    case 'POST take_thread_control': {
      const taken = { owner: us, expiresAt: state.world.now() + DAY_MS };
      state.threads.set(key, taken);
      return ok({ data: [{ thread_owner: { app_id: us, expiration: seconds(taken.expiresAt) } }] });
    }
    case 'POST pass_thread_control':
      if (query.target_app_id === undefined) throw new GraphFailure(400, 100, 'target_app_id is required');
      state.threads.set(key, { owner: query.target_app_id, expiresAt: state.world.now() + DAY_MS });
      return ok({ success: true });
    case 'POST release_thread_control':
      if (current?.owner !== us) throw notOurs();
      state.threads.delete(key);
      return ok({ success: true });
    case 'POST extend_thread_control': {
      const duration = Number(query.duration);
      if (!Number.isInteger(duration) || duration < 1 || duration > MAX_EXTEND_SECONDS)
        throw new GraphFailure(400, 100, 'duration must be 1 to 604800 seconds');
      if (current?.owner !== us) throw notOurs();
      state.threads.set(key, { owner: us, expiresAt: state.world.now() + duration * 1000 });
      return ok({ success: true });
    }
    case 'POST request_thread_control':
    case 'POST pass_thread_metadata':
      return ok({ success: true });
    default:
      return undefined;
  }
};

/** The Handover Protocol in the sandbox (Messenger and Instagram threads), and Instagram ↔ Page links. */
export const threadsSandbox = (world: SandboxWorld): SandboxPart => {
  const state: ThreadsState = { world, threads: new Map(), instagramLinks: SANDBOX_INSTAGRAM_LINKS };
  return {
    answer: (request) => answerPage(state, request) ?? answerThread(state, request),
    // What actions change: each thread's owner and expiry (kept across local mode's restarts).
    snapshot: () => Object.fromEntries(state.threads),
    restore: (saved) => {
      for (const [key, value] of Object.entries(saved)) {
        if (typeof value !== 'object' || value === null) continue;
        const { owner, expiresAt } = value as Record<string, unknown>;
        if (typeof owner === 'string' && typeof expiresAt === 'number')
          state.threads.set(key, { owner, expiresAt });
      }
    },
  };
};
