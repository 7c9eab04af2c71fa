import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { MetaSecrets, SecretSource } from '../../platform/secrets/meta-secrets.js';
import { RelayCopies, type RelayQueuePorts } from './copies.js';
import { type RelayDelivererDeps, relayDelivererHandler } from './deliverer.js';
import { createRelayReplayHandler } from './replay-route.js';

/**
 * The relay's composition roots, used by its Lambda entry points with AWS adapters and by local mode with local
 * ones: the webhook's copies, a destination's deliverer, and the replay to a destination.
 */

export { composeRelayCopies } from './copies.js';

/** One destination's deliverer (`functions/relay/handler.ts`; a local consumer per destination). */
export const composeRelayDeliverer = (ports: RelayDelivererDeps) => relayDelivererHandler(ports);

export interface RelayReplayPorts extends RelayQueuePorts {
  reader: ArchiveReader;
  metaSecrets: SecretSource<MetaSecrets>;
  telemetry: Telemetry;
  safetyMarginMs: number;
  now?: () => number;
}

/** `POST /v1/relay/{name}/replay` (`functions/relay-replay/handler.ts`, and local mode's). */
export const composeRelayReplay = (ports: RelayReplayPorts) =>
  createRelayReplayHandler({
    destinations: ports.destinations,
    reader: ports.reader,
    copies: new RelayCopies(ports.destinations, ports.sink, ports.claims, ports.options),
    metaSecrets: ports.metaSecrets,
    telemetry: ports.telemetry,
    safetyMarginMs: ports.safetyMarginMs,
    ...(ports.now === undefined ? {} : { now: ports.now }),
  });
