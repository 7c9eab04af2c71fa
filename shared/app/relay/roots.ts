import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { RouteHandler } from '../../platform/http/dispatch.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { MetaSecrets, SecretSource } from '../../platform/secrets/meta-secrets.js';
import { RelayCopies, type RelayQueuePorts } from './copies.js';
import { type RelayDelivererDeps, relayDelivererHandler } from './deliverer.js';
import { relayReplayRoute } from './replay-route.js';

/**
 * The relay's composition roots, used by its Lambda entry points with AWS adapters and by local mode with local
 * ones: the webhook's copies, a destination's deliverer, and the replay to a destination (a route of the
 * reconcile function).
 */

export { composeRelayCopies } from './copies.js';

/** One destination's deliverer (`functions/relay/handler.ts`; a local consumer per destination). */
export const composeRelayDeliverer = (ports: RelayDelivererDeps) => relayDelivererHandler(ports);

export interface RelayReplayPorts {
  reader: ArchiveReader;
  metaSecrets: SecretSource<MetaSecrets>;
  telemetry: Telemetry;
  safetyMarginMs: number;
  now?: () => number;
}

/** `POST /v1/relay/{name}/replay`; none without destinations (the reconcile function then answers 404). */
export const composeRelayReplay = (
  queues: RelayQueuePorts | undefined,
  ports: RelayReplayPorts,
): RouteHandler | undefined =>
  queues === undefined || queues.destinations.length === 0
    ? undefined
    : relayReplayRoute({
        destinations: queues.destinations,
        copies: new RelayCopies(queues.destinations, queues.sink, queues.claims, queues.options),
        ...ports,
      });
