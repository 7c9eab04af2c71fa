import { ROUTES } from '../shared/app/routes.js';
import { callApi } from './api-client.js';
import { formatError } from './format.js';

/**
 * `relay replay <name> --from --to`: calls `POST /v1/relay/{name}/replay` until the window is done (each call
 * answers where to continue when it runs out of time), printing progress; the total is what went on the
 * destination's queue.
 */
export const relayReplayWindow = async (
  base: string,
  options: { name: string; from: number; to: number; region: string | undefined; json: boolean },
): Promise<number> => {
  const { name, to } = options;
  let { from } = options;
  let deliveries = 0;
  for (;;) {
    const response = await callApi(base, 'POST', ROUTES.pathFor('relay.replay', { name }), {
      body: { from, to },
      region: options.region,
    });
    if (response.status !== 200) {
      console.error(formatError(response.status, response.body));
      return 1;
    }
    const body = response.body as { deliveries?: number; complete?: boolean; resumeFrom?: number };
    deliveries += body.deliveries ?? 0;
    if (body.complete === true || typeof body.resumeFrom !== 'number') break;
    console.error(`… ${deliveries} deliveries so far, continuing from ${body.resumeFrom}`);
    from = body.resumeFrom;
  }
  console.log(
    options.json
      ? JSON.stringify({ destination: name, deliveries })
      : `queued ${deliveries} deliveries again for ${name}`,
  );
  return 0;
};
