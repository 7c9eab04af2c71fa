import { ROUTES } from '../shared/app/routes.js';
import { callApi } from './api-client.js';
import { formatError } from './format.js';

/** One page of local mode's bus, or why there is none (not running, or not local mode). */
const eventsPage = async (base: string, after: number) => {
  try {
    const response = await fetch(
      new URL(`local/events?after=${after}`, base.endsWith('/') ? base : `${base}/`),
    );
    if (response.status !== 200) return { missing: response.status };
    return { page: (await response.json()) as { items: Record<string, unknown>[]; next: number } };
  } catch {
    return { unreachable: true };
  }
};

/**
 * `events tail`: local mode's bus, polled; in AWS the events are on the stack's EventBridge bus. Local mode
 * restarting is waited out (and a bus that restarted empty, in memory, is read from its start).
 */
export const tailEvents = async (
  base: string,
  options: { once: boolean; json: boolean },
): Promise<number> => {
  let after = 0;
  let waiting = false;
  for (;;) {
    const answer = await eventsPage(base, after);
    if ('missing' in answer) {
      console.error(
        `${base} has no local event bus (${answer.missing}): in AWS, subscribe to the stack's EventBridge bus (output EventBusName)`,
      );
      return 1;
    }
    if ('page' in answer && answer.page !== undefined) {
      waiting = false;
      const { page } = answer;
      if (page.next < after) {
        after = 0; // the bus restarted empty (in memory): read it again from its start
        continue;
      }
      for (const event of page.items) {
        console.log(
          options.json
            ? JSON.stringify(event)
            : `${event.time} ${event['detail-type']} ${JSON.stringify(event.detail)}`,
        );
      }
      after = page.next;
    } else if (options.once) {
      console.error(`${base} does not answer: is local mode running?`);
      return 1;
    } else if (!waiting) {
      console.error(`${base} does not answer: waiting for local mode…`);
      waiting = true;
    }
    if (options.once) return 0;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

/** `replay --from --to`: calls POST /v1/replay until the window is done, printing progress. */
export const replayWindow = async (
  base: string,
  options: { from: number; to: number; region: string | undefined; json: boolean },
): Promise<number> => {
  const { to } = options;
  let { from } = options;
  const total = { deliveries: 0, changes: 0 };
  for (;;) {
    const response = await callApi(base, 'POST', ROUTES.pathFor('replay.run'), {
      body: { from, to },
      region: options.region,
    });
    const body = response.body as {
      deliveries?: number;
      changes?: number;
      complete?: boolean;
      resumeFrom?: number;
    };
    if (response.status !== 200) {
      console.error(formatError(response.status, response.body));
      return 1;
    }
    total.deliveries += body.deliveries ?? 0;
    total.changes += body.changes ?? 0;
    if (body.complete === true || typeof body.resumeFrom !== 'number') break;
    console.error(`… ${total.deliveries} deliveries so far, continuing from ${body.resumeFrom}`);
    from = body.resumeFrom;
  }
  console.log(
    options.json
      ? JSON.stringify(total)
      : `replayed ${total.deliveries} deliveries (${total.changes} changes)`,
  );
  return 0;
};
