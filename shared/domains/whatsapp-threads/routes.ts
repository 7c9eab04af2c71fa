import type { ActionGuard } from '../../platform/http/action-guard.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { jsonObjectBody, pageSize, pathId, queryParameter } from '../../platform/http/request.js';
import { found, json } from '../../platform/http/response.js';
import type { HttpApiEvent } from '../../platform/http/types.js';
import type { WhatsappThreadActions } from './actions.js';
import type { ThreadControlAction } from './facts.js';
import { ownerFilter, parseThreadControlInput, pathUserId } from './input.js';
import type { WhatsappThreadReads } from './repository.js';

const threadOf = (event: HttpApiEvent) => ({
  phoneNumberId: pathId(event, 'phoneNumberId'),
  userId: pathUserId(event),
});

/** The read API's WhatsApp thread routes (Meta has no owner read: these read only our table). */
export const whatsappThreadReadRoutes = (reads: WhatsappThreadReads) =>
  ({
    'whatsappThreads.get': async (event) => {
      const { phoneNumberId, userId } = threadOf(event);
      return found(await reads.get(phoneNumberId, userId), `WhatsApp thread ${phoneNumberId}/${userId}`);
    },
    'whatsappThreads.list': async (event) => {
      const phoneNumberId = pathId(event, 'phoneNumberId');
      const owner = ownerFilter(queryParameter(event, 'owner'));
      const limit = pageSize(event);
      return json(
        200,
        await reads.listByPhoneNumber(phoneNumberId, owner, limit, queryParameter(event, 'cursor')),
      );
    },
    'whatsappThreads.summary': async (event) => {
      const { phoneNumberId, userId } = threadOf(event);
      return found(
        await reads.conversationContext(phoneNumberId, userId),
        `a conversation summary for WhatsApp thread ${phoneNumberId}/${userId}`,
      );
    },
  }) satisfies RouteHandlers;

/** pass, take, release: each under the guard (one action per thread at a time, `Idempotency-Key`). */
export const whatsappThreadActionRoutes = (actions: WhatsappThreadActions, guard: ActionGuard) => {
  const control = (action: ThreadControlAction) => async (event: HttpApiEvent) => {
    const { phoneNumberId, userId } = threadOf(event);
    const input = parseThreadControlInput(action, jsonObjectBody(event));
    return guard.perform(event, `whatsapp-thread#${phoneNumberId}#${userId}`, async (context) =>
      json(200, await actions.perform(phoneNumberId, userId, action, input, context)),
    );
  };
  return {
    'whatsappThreads.pass': control('pass'),
    'whatsappThreads.take': control('take'),
    'whatsappThreads.release': control('release'),
  } satisfies RouteHandlers;
};
