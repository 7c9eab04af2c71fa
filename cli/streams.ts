import { pathFor } from '../shared/http/routes.js';
import { callApi } from './api-client.js';
import { formatError } from './format.js';

/** `events tail`: local mode's bus, polled; in AWS the events are on the stack's EventBridge bus. */
export const tailEvents = async (
  base: string,
  options: { once: boolean; json: boolean },
): Promise<number> => {
  let after = 0;
  for (;;) {
    const response = await fetch(
      new URL(`local/events?after=${after}`, base.endsWith('/') ? base : `${base}/`),
    );
    if (response.status !== 200) {
      console.error(
        `${base} has no local event bus (${response.status}): in AWS, subscribe to the stack's EventBridge bus (output EventBusName)`,
      );
      return 1;
    }
    const page = (await response.json()) as { items: Record<string, unknown>[]; next: number };
    for (const event of page.items) {
      console.log(
        options.json
          ? JSON.stringify(event)
          : `${event.time} ${event['detail-type']} ${JSON.stringify(event.detail)}`,
      );
    }
    after = page.next;
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
    const response = await callApi(base, 'POST', pathFor('replay.run'), {
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
