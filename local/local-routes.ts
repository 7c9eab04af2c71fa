import type { IncomingMessage, ServerResponse } from 'node:http';
import { QUEUE_NAMES, type QueueName } from '../shared/queue/envelope.js';
import type { LocalQueues } from './in-process-queue.js';

const reply = (response: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/**
 * Local mode only: queue statistics and DLQ redrive, the local counterpart of SQS's console and
 * `StartMessageMoveTask` (used by `npm run redrive -- <queue> --local`).
 */
export const localRoutes =
  (queues: LocalQueues) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    if (path === '/local/queues' && request.method === 'GET') {
      reply(response, 200, { queues: queues.stats() });
      return true;
    }
    const redrive = /^\/local\/queues\/([a-z]+)\/redrive$/.exec(path);
    if (redrive !== null && request.method === 'POST') {
      const name = redrive[1] as QueueName;
      if (!QUEUE_NAMES.includes(name)) {
        reply(response, 404, {
          error: 'not_found',
          message: `no queue ${name}; queues: ${QUEUE_NAMES.join(', ')}`,
        });
      } else {
        reply(response, 200, { queue: name, moved: queues.redrive(name) });
      }
      return true;
    }
    return false;
  };
