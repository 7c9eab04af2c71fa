import type { Context } from 'aws-lambda';
import { BadRequestError, DependencyUnavailableError } from '../../kernel/errors.js';
import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { RouteHandler } from '../../platform/http/dispatch.js';
import { jsonObjectBody, pathParameter } from '../../platform/http/request.js';
import { json } from '../../platform/http/response.js';
import { signBody } from '../../platform/http/signature.js';
import type { HttpApiEvent } from '../../platform/http/types.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { MetaSecrets, SecretSource } from '../../platform/secrets/meta-secrets.js';
import { deliveryIdOf, type ReceivedDelivery } from '../intake/intake.js';
import { splitDelivery } from '../intake/split.js';
import { parseReplayWindow, replay } from '../replay/replay.js';
import type { RelayCopies } from './copies.js';
import type { RelayDestination } from './destinations.js';
import { destinationsFor } from './match.js';

/** API Gateway gives up after 30 s: a call ends well before, and says where to continue. */
export const RELAY_REPLAY_BUDGET_MS = 25_000;

export interface RelayReplayDeps {
  destinations: readonly RelayDestination[];
  reader: ArchiveReader;
  /** Queues copies on the destinations' queues (and large bodies in the claim-check bucket), as the webhook does. */
  copies: RelayCopies;
  /** A `meta` destination's copies are signed as Meta signs: with the app secret, over the archived bytes. */
  metaSecrets: SecretSource<MetaSecrets>;
  telemetry: Telemetry;
  /** Kept free before the function's timeout. */
  safetyMarginMs: number;
  now?: () => number;
}

/**
 * The destination the path names. The names are a closed set (the configuration), so any other is a 400 that
 * lists them, as a malformed ID is (the caller's text is not echoed).
 */
const destinationNamed = (deps: RelayReplayDeps, event: HttpApiEvent): RelayDestination => {
  const name = pathParameter(event, 'name');
  const destination = deps.destinations.find((each) => each.name === name);
  if (destination !== undefined) return destination;
  const names = deps.destinations.map((each) => each.name);
  throw new BadRequestError(
    names.length === 0
      ? 'no relay destinations are configured'
      : `name must be a relay destination: ${names.join(', ')}`,
  );
};

/** The app secret a replayed `meta` copy is signed with: the one Meta signs with today. */
const appSecretFor = async (deps: RelayReplayDeps, destination: RelayDestination) => {
  if (destination.signing !== 'meta') return undefined;
  const { appSecret } = await deps.metaSecrets.get();
  if (appSecret === '') throw new DependencyUnavailableError('secrets', 'the Meta app secret is empty');
  return appSecret;
};

/**
 * `POST /v1/relay/{name}/replay` with `{ "from", "to" }` (epoch seconds, the rules of `POST /v1/replay`): every
 * archived delivery received in the window that holds something for the destination is queued again on its
 * queue, as a copy like the webhook's (the archive keeps the bytes, not Meta's header: a `meta` copy is signed
 * again with the app secret, which gives Meta's header for as long as the secret is the one Meta used). Answers
 * `{ deliveries, complete, cursor }`; a call that runs out of time answers the cursor to continue with (send it
 * back with the same window), as `POST /v1/replay` does.
 */
const replayToDestination = async (deps: RelayReplayDeps, event: HttpApiEvent, context: Context) => {
  const now = deps.now ?? Date.now;
  const destination = destinationNamed(deps, event);
  const window = parseReplayWindow(jsonObjectBody(event));
  const appSecret = await appSecretFor(deps, destination);
  let deliveries = 0;
  const target = {
    accept: async (received: ReceivedDelivery) => {
      const envelopes = splitDelivery(received.delivery, {
        deliveryId: deliveryIdOf(received.body),
        receivedAt: received.receivedAt,
      });
      if (destinationsFor([destination], envelopes).length === 0) return { envelopes: [] };
      const signature = appSecret === undefined ? undefined : signBody(received.body, appSecret);
      await deps.copies.sendTo(
        [destination],
        {
          body: received.body,
          receivedAt: received.receivedAt,
          ...(signature === undefined ? {} : { signature }),
        },
        { replay: true },
      );
      deliveries += 1;
      return { envelopes };
    },
  };
  const budget = Math.min(RELAY_REPLAY_BUDGET_MS, context.getRemainingTimeInMillis() - deps.safetyMarginMs);
  const result = await replay(deps.reader, target, window, now() + Math.max(1_000, budget), now);
  deps.telemetry.count('RelayDeliveriesReplayed', deliveries);
  deps.telemetry.logger.info('relay replay', {
    destination: destination.name,
    relayed: deliveries,
    read: result.deliveries,
    complete: result.complete,
  });
  return json(200, { deliveries, complete: result.complete, cursor: result.cursor });
};

/** `POST /v1/relay/{name}/replay`, served by the reconcile function beside `POST /v1/replay`. */
export const relayReplayRoute =
  (deps: RelayReplayDeps): RouteHandler =>
  (event, context) =>
    replayToDestination(deps, event, context);
