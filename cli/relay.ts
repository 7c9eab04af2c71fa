import { ROUTES } from '../shared/app/routes.js';
import { callApi } from './api-client.js';
import { formatError } from './format.js';

/**
 * `relay replay <name> --from --to`: calls `POST /v1/relay/{name}/replay` until the window is done (each call
 * answers a cursor to continue with when it runs out of time), printing progress; the total is what went on the
 * destination's queue.
 */
export const relayReplayWindow = async (
  base: string,
  options: { name: string; from: number; to: number; region: string | undefined; json: boolean },
): Promise<number> => {
  const { name, from, to } = options;
  let cursor: string | undefined;
  let deliveries = 0;
  for (;;) {
    const response = await callApi(base, 'POST', ROUTES.pathFor('relay.replay', { name }), {
      body: { from, to, ...(cursor === undefined ? {} : { cursor }) },
      region: options.region,
    });
    if (response.status !== 200) {
      console.error(formatError(response.status, response.body));
      return 1;
    }
    const body = response.body as { deliveries?: number; complete?: boolean; cursor?: string | null };
    deliveries += body.deliveries ?? 0;
    if (body.complete === true) break;
    // A call that answers neither complete nor a new cursor would loop forever: say so instead.
    if (typeof body.cursor !== 'string' || body.cursor === cursor) {
      console.error(`relay replay made no progress (answer: ${JSON.stringify(body)})`);
      return 1;
    }
    console.error(`… ${deliveries} deliveries so far, continuing`);
    cursor = body.cursor;
  }
  console.log(
    options.json
      ? JSON.stringify({ destination: name, deliveries })
      : `queued ${deliveries} deliveries again for ${name}`,
  );
  return 0;
};
