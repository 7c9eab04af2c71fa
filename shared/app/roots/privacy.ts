import type { Retention } from '../../kernel/retention.js';
import type { DomainManifest, DomainModule } from '../../platform/domain/domain.js';
import type { EventPublisher } from '../../platform/events/ports.js';
import { dispatch } from '../../platform/http/dispatch.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { httpLambda } from '../../platform/runtime/lambda.js';
import type { MetaSecrets, SecretSource } from '../../platform/secrets/meta-secrets.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { ErasureStore } from '../../platform/store/erasure.js';
import { privacyRoutes } from '../privacy/routes.js';
import { ROUTES } from '../routes.js';

export interface PrivacyPorts {
  /** Every domain; those with an erasure facet are erased. */
  domains: readonly DomainModule[];
  /** A domain table's erasure side (the user index, tombstones). */
  store(domain: DomainManifest): ErasureStore;
  /** Erasure records, by confirmation code. */
  control: ControlTable;
  secrets: SecretSource<MetaSecrets>;
  /** `User Erased` goes to the bus. */
  publisher: EventPublisher;
  retention: Retention;
  telemetry: Telemetry;
  now?: () => number;
}

/** The privacy function: Meta's data deletion callback and its status page, the operator's erasure. */
export const composePrivacy = (ports: PrivacyPorts) =>
  httpLambda(
    ports.telemetry,
    dispatch(ROUTES, 'privacy', privacyRoutes({ ...ports, now: ports.now ?? Date.now })),
  );
