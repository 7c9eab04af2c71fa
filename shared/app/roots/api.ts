import { OnboardingReads } from '../../domains/onboarding/repository.js';
import { onboardingReadRoutes } from '../../domains/onboarding/routes.js';
import { solutionsManifest } from '../../domains/solutions/manifest.js';
import { SolutionReads } from '../../domains/solutions/repository.js';
import { solutionReadRoutes } from '../../domains/solutions/routes.js';
import { threadsManifest } from '../../domains/threads/manifest.js';
import { ThreadReads } from '../../domains/threads/repository.js';
import { threadReadRoutes } from '../../domains/threads/routes.js';
import { wabasManifest } from '../../domains/wabas/manifest.js';
import { WabaReads } from '../../domains/wabas/repository.js';
import { wabaReadRoutes } from '../../domains/wabas/routes.js';
import { projectWaba } from '../../domains/wabas/view.js';
import { whatsappThreadsManifest } from '../../domains/whatsapp-threads/manifest.js';
import { WhatsappThreadReads } from '../../domains/whatsapp-threads/repository.js';
import { whatsappThreadReadRoutes } from '../../domains/whatsapp-threads/routes.js';
import type { DomainManifest } from '../../platform/domain/domain.js';
import { dispatch } from '../../platform/http/dispatch.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { httpLambda } from '../../platform/runtime/lambda.js';
import type { RegisterReads } from '../../platform/store/ports.js';
import { ROUTES } from '../routes.js';

export interface ApiPorts {
  /** The read side of a domain's table. */
  table(domain: DomainManifest): RegisterReads;
  telemetry: Telemetry;
  now?: () => number;
}

/** The read API (the `api` function): consistent reads for single items, cursor-paginated lists. */
export const composeApi = (ports: ApiPorts) => {
  const now = ports.now ?? Date.now;
  return httpLambda(
    ports.telemetry,
    dispatch(ROUTES, 'api', {
      ...solutionReadRoutes(new SolutionReads(ports.table(solutionsManifest))),
      ...wabaReadRoutes(new WabaReads(ports.table(wabasManifest), now)),
      ...onboardingReadRoutes(new OnboardingReads(ports.table(wabasManifest)), (item) =>
        projectWaba(item, now()),
      ),
      ...threadReadRoutes(new ThreadReads(ports.table(threadsManifest), now)),
      ...whatsappThreadReadRoutes(new WhatsappThreadReads(ports.table(whatsappThreadsManifest), now)),
    }),
  );
};
