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

/** `POST /v1/relay/{name}/replay`; without destinations, every name is a 400 that says so. */
export const composeRelayReplay = (
  queues: RelayQueuePorts | undefined,
  ports: RelayReplayPorts,
): RouteHandler => {
  const destinations = queues?.destinations ?? [];
  const copies = new RelayCopies(
    destinations,
    queues?.sink ?? { sendBatch: async () => ({ failed: [] }) },
    queues?.claims ?? { put: async () => undefined },
    queues?.options,
  );
  return relayReplayRoute({ destinations, copies, ...ports });
};
