import type { OnboardingSettings } from '../../domains/onboarding/config.js';
import { onboardingSweep } from '../../domains/onboarding/reconcile.js';
import { solutionsManifest } from '../../domains/solutions/manifest.js';
import { SolutionRepository } from '../../domains/solutions/repository.js';
import { BUSINESS_TOKEN_JOBS, wabasManifest } from '../../domains/wabas/manifest.js';
import { WabaRepository } from '../../domains/wabas/repository.js';
import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { MetaIdentity } from '../../platform/config/env.js';
import type { DomainManifest, JobSender } from '../../platform/domain/domain.js';
import { GraphClient } from '../../platform/graph/client.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { type MetaSecrets, type SecretSource, systemUserToken } from '../../platform/secrets/meta-secrets.js';
import type { SecretStore } from '../../platform/secrets/secret-store.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { RegisterStore } from '../../platform/store/ports.js';
import { composeOnboarding } from '../onboarding.js';
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
  /**
   * Onboarding's part of each sweep, when business tokens (hence onboarding) are on: where the tokens are kept
   * (read to verify with Meta), the job queue that runs a started or restarted onboarding, and its settings.
   */
  onboarding?: { secrets: SecretStore; secretPrefix: string; jobs: JobSender; settings: OnboardingSettings };
  /** `POST /v1/relay/{name}/replay`: the relay's destinations and their queues, when there are any. */
  relay?: RelayQueuePorts;
}

/** Onboarding's part of a sweep, over this run's Graph client. */
const sweepOnboarding = (ports: ReconcilePorts, wabas: WabaRepository) => {
  const onboarding = ports.onboarding;
  if (onboarding === undefined) return undefined;
  const clock = ports.now === undefined ? {} : { now: ports.now };
  return (graph: GraphClient) =>
    onboardingSweep(
      composeOnboarding({
        graph,
        wabas: ports.table(wabasManifest),
        control: ports.control,
        secrets: onboarding.secrets,
        metaSecrets: ports.metaSecrets,
        settings: onboarding.settings,
        identity: ports.identity,
        businessTokens: {
          graph,
          wabas,
          store: onboarding.secrets,
          secretPrefix: onboarding.secretPrefix,
          control: ports.control,
          ...clock,
        },
        telemetry: ports.telemetry,
        ...clock,
      }),
      (job) => onboarding.jobs.send(BUSINESS_TOKEN_JOBS.name, JSON.stringify(job)),
    );
};

/** The reconcile function (scheduled sweeps, `/v1/reconcile`, `/v1/replay`) from its ports. */
export const composeReconcile = (ports: ReconcilePorts) => {
  const token = systemUserToken(ports.metaSecrets);
  const clock = ports.now === undefined ? {} : { now: ports.now };
  // Set once the token is there; an empty one is read again (not from the cache) before saying it is not.
  const configured = async () =>
    (await ports.metaSecrets.get()).systemUserToken !== '' ||
    (await ports.metaSecrets.get(true)).systemUserToken !== '';
  const wabas = new WabaRepository(ports.table(wabasManifest), ports.now);
  const onboarding = sweepOnboarding(ports, wabas);
  const relayReplay = composeRelayReplay(ports.relay, {
    reader: ports.replay.reader,
    metaSecrets: ports.metaSecrets,
    telemetry: ports.telemetry,
    safetyMarginMs: ports.safetyMarginMs,
    ...clock,
  });
  return createReconcileHandler({
    configured,
    wabas,
    ...(onboarding === undefined ? {} : { onboarding }),
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
