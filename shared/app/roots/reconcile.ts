import { solutionsManifest } from '../../domains/solutions/manifest.js';
import { SolutionRepository } from '../../domains/solutions/repository.js';
import { wabasManifest } from '../../domains/wabas/manifest.js';
import { WabaRepository } from '../../domains/wabas/repository.js';
import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { MetaIdentity } from '../../platform/config/env.js';
import type { DomainManifest } from '../../platform/domain/domain.js';
import { GraphClient } from '../../platform/graph/client.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { type MetaSecrets, type SecretSource, systemUserToken } from '../../platform/secrets/meta-secrets.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { RegisterStore } from '../../platform/store/ports.js';
import { createReconcileHandler } from '../reconcile/handler.js';
import type { RelayQueuePorts } from '../relay/copies.js';
import { composeRelayReplay } from '../relay/roots.js';
import { composeIntake, type IntakePorts } from './webhook.js';

/** The tables reconciliation reads and writes. */
export const RECONCILED_DOMAINS = [solutionsManifest, wabasManifest] as const;

export interface ReconcilePorts {
  table(domain: DomainManifest): RegisterStore;
  control: ControlTable;
  identity: MetaIdentity;
  metaSecrets: SecretSource<MetaSecrets>;
  /** Kept free before the Lambda timeout for writing the summary. */
  safetyMarginMs: number;
  telemetry: Telemetry;
  now?: () => number;
  /** `POST /v1/replay`: the archive, and the webhook's way into the queues. */
  replay: IntakePorts & { reader: ArchiveReader };
  /** `POST /v1/relay/{name}/replay`: the relay's destinations and their queues, when there are any. */
  relay?: RelayQueuePorts;
}

/** The reconcile function (scheduled sweeps, `/v1/reconcile`, `/v1/replay`) from its ports. */
export const composeReconcile = (ports: ReconcilePorts) => {
  const token = systemUserToken(ports.metaSecrets);
  const clock = ports.now === undefined ? {} : { now: ports.now };
  const relayReplay = composeRelayReplay(ports.relay, {
    reader: ports.replay.reader,
    metaSecrets: ports.metaSecrets,
    telemetry: ports.telemetry,
    safetyMarginMs: ports.safetyMarginMs,
    ...clock,
  });
  return createReconcileHandler({
    wabas: new WabaRepository(ports.table(wabasManifest), ports.now),
    solutions: new SolutionRepository(ports.table(solutionsManifest)),
    control: ports.control,
    identity: ports.identity,
    telemetry: ports.telemetry,
    safetyMarginMs: ports.safetyMarginMs,
    graphFor: (deadline) =>
      new GraphClient({ baseUrl: ports.identity.graphApiBaseUrl, token, deadline, ...clock }),
    replay: { reader: ports.replay.reader, intake: composeIntake(ports.replay) },
    relayReplay,
    ...clock,
  });
};
