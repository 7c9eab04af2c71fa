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

/**
 * `replay --from --to`: calls POST /v1/replay until the window is done, printing progress. Each answer that does
 * not complete the window carries a cursor past at least one more delivery; one that does not move on is an
 * error (never a loop), and stopping the CLI stops the replay (a call never outlives its budget).
 */
export const replayWindow = async (
  base: string,
  options: { from: number; to: number; region: string | undefined; json: boolean },
): Promise<number> => {
  const { from, to } = options;
  const total = { deliveries: 0, changes: 0, calls: 0 };
  let cursor: string | undefined;
  for (;;) {
    const response = await callApi(base, 'POST', ROUTES.pathFor('replay.run'), {
      body: { from, to, ...(cursor === undefined ? {} : { cursor }) },
      region: options.region,
    });
    const body = response.body as {
      deliveries?: number;
      changes?: number;
      complete?: boolean;
      cursor?: unknown;
    };
    if (response.status !== 200) {
      console.error(formatError(response.status, response.body));
      return 1;
    }
    total.deliveries += body.deliveries ?? 0;
    total.changes += body.changes ?? 0;
    total.calls += 1;
    if (body.complete === true) break;
    if (typeof body.cursor !== 'string' || body.cursor === cursor) {
      console.error('replay made no progress in a whole call: stopped (the answer carried no new cursor)');
      return 1;
    }
    cursor = body.cursor;
    console.error(`… ${total.deliveries} deliveries so far (${total.calls} calls), continuing`);
  }
  console.log(
    options.json
      ? JSON.stringify(total)
      : `replayed ${total.deliveries} deliveries (${total.changes} changes) in ${total.calls} calls`,
  );
  return 0;
};
