import type { ActionGuard } from '../../platform/http/action-guard.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { jsonObjectBody, pathId, queryParameter } from '../../platform/http/request.js';
import { found, json } from '../../platform/http/response.js';
import type { HttpApiEvent } from '../../platform/http/types.js';
import type { ThreadActions } from './actions.js';
import { parseThreadInput, type ThreadAction } from './input.js';
import type { ThreadReads } from './repository.js';

/** The read API's page route (a page's app roles). */
export const threadReadRoutes = (reads: ThreadReads) =>
  ({
    'pages.get': async (event) => {
      const pageId = pathId(event, 'pageId');
      return found(await reads.getPageRoles(pageId), `page ${pageId}`);
    },
  }) satisfies RouteHandlers;

/**
 * Thread reads (which may refresh from Meta, so they live with the actions) and the thread actions: each POST
 * runs under the guard (one action per thread at a time, `Idempotency-Key`).
 */
export const threadActionRoutes = (actions: ThreadActions, guard: ActionGuard) => {
  const thread = (action: ThreadAction) => async (event: HttpApiEvent) => {
    const input = parseThreadInput(action, jsonObjectBody(event));
    const [pageId, userId] = [pathId(event, 'pageId'), pathId(event, 'userId')];
    return guard.perform(event, `thread#${pageId}#${userId}`, async (context) =>
      json(200, await actions.perform(pageId, userId, action, input, context)),
    );
  };
  return {
    'threads.get': async (event) => {
      const [pageId, userId] = [pathId(event, 'pageId'), pathId(event, 'userId')];
      if (queryParameter(event, 'refresh') !== 'true') return json(200, await actions.read(pageId, userId));
      // Under the thread's action lease: a reading taken before our own take is never recorded after it (409
      // action_in_progress while an action runs, as for a second action).
      const thread = await guard.exclusive(`thread#${pageId}#${userId}`, () =>
        actions.refresh(pageId, userId),
      );
      return json(200, thread);
    },
    'threads.take': thread('take'),
    'threads.pass': thread('pass'),
    'threads.request': thread('request'),
    'threads.release': thread('release'),
    'threads.extend': thread('extend'),
    'threads.metadata': thread('metadata'),
  } satisfies RouteHandlers;
};
