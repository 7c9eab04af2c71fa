import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonObject } from '../shared/kernel/json.js';
import type { LocalEventBus } from './event-bus.js';
import { type LocalQueue, queueStats } from './in-process-queue.js';
import { sendJson } from './net.js';

const MAX_EVENTS_PAGE = 1_000;

/**
 * `after` (how many events the caller has seen: the `next` of its previous read) and `limit`, in decimal digits
 * only, as the `/v1` cursors and limits are read (`Number()` would take `1e3`, `0x10`, ` 5`). `next` is the
 * position after the page; a bus that restarted empty (in memory) answers a `next` below `after`.
 */
const eventsPage = (
  query: URLSearchParams,
  total: number,
): { after: number; next: number } | { refused: string } => {
  const after = query.get('after') ?? '0';
  const limit = query.get('limit') ?? String(MAX_EVENTS_PAGE);
  if (!/^[0-9]{1,15}$/.test(after)) return { refused: 'after must be a position: decimal digits' };
  if (!/^[0-9]{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_EVENTS_PAGE)
    return { refused: `limit must be an integer from 1 to ${MAX_EVENTS_PAGE}` };
  const start = Number(after);
  return { after: start, next: start > total ? total : Math.min(total, start + Number(limit)) };
};

const parseBody = (body: string): Record<string, unknown> => parseJsonObject(body) ?? { body };

/**
 * Local mode only: domain events (`GET /local/events`), queue statistics, a peek at a queue's messages (the passthrough queue has no consumer
 * locally) and DLQ redrive, the local counterpart of `StartMessageMoveTask` (`npm run redrive -- <queue> --local`).
 */
export const localRoutes =
  (queues: Record<string, LocalQueue>, events: LocalEventBus) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://local');
    const path = url.pathname;
    if (path === '/local/events' && request.method === 'GET') {
      const page = eventsPage(url.searchParams, events.items.length);
      if ('refused' in page) sendJson(response, 400, { error: 'bad_request', message: page.refused });
      else sendJson(response, 200, { items: events.items.slice(page.after, page.next), next: page.next });
      return true;
    }
    if (path === '/local/queues' && request.method === 'GET') {
      sendJson(response, 200, { queues: queueStats(queues) });
      return true;
    }
    // Relay queues are `relay:<name>` (the colon percent-encoded or not).
    const match = /^\/local\/queues\/([a-z0-9-]+(?::|%3[aA])?[a-z0-9-]*)\/(redrive|messages)$/.exec(path);
    if (match === null) return false;
    const [, encoded = '', action] = match;
    const name = encoded.replace(/%3[aA]/, ':');
    // Own names only: `constructor` is a property of every object, not a queue.
    const queue = Object.hasOwn(queues, name) ? queues[name] : undefined;
    if (queue === undefined) {
      sendJson(response, 404, {
        error: 'not_found',
        message: `no queue ${name}; queues: ${Object.keys(queues).join(', ')}`,
      });
    } else if (action === 'redrive' && request.method === 'POST') {
      sendJson(response, 200, {
        queue: name,
        moved: queue.dlq === undefined ? 0 : queue.dlq.moveAllTo(queue),
      });
    } else if (action === 'messages' && request.method === 'GET') {
      sendJson(response, 200, {
        queue: name,
        messages: queue.peek().map(({ body, attributes }) => ({ ...parseBody(body), attributes })),
        ...(queue.dlq === undefined
          ? {}
          : {
              deadLetters: queue.dlq
                .peek()
                .map(({ body, attributes }) => ({ ...parseBody(body), attributes })),
            }),
      });
    } else {
      sendJson(response, 405, { error: 'method_not_allowed', message: `${request.method} ${path}` });
    }
    return true;
  };
