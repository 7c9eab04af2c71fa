import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { OnboardingSettings } from '../../domains/onboarding/config.js';
import { onboardingJobHandler } from '../../domains/onboarding/job-handler.js';
import { onboardingActionRoutes } from '../../domains/onboarding/routes.js';
import type { OnboardingDeps } from '../../domains/onboarding/steps/context.js';
import { SolutionActions } from '../../domains/solutions/actions.js';
import { solutionsManifest } from '../../domains/solutions/manifest.js';
import { SolutionRepository } from '../../domains/solutions/repository.js';
import { solutionActionRoutes } from '../../domains/solutions/routes.js';
import { ThreadActions } from '../../domains/threads/actions.js';
import { InstagramPages } from '../../domains/threads/instagram-pages.js';
import { threadsManifest } from '../../domains/threads/manifest.js';
import type { PageTokens } from '../../domains/threads/page-tokens.js';
import { ThreadRepository } from '../../domains/threads/repository.js';
import { threadActionRoutes } from '../../domains/threads/routes.js';
import type { BusinessTokenDeps, SecretStore } from '../../domains/wabas/business-tokens.js';
import { businessTokenJobHandler } from '../../domains/wabas/jobs.js';
import { BUSINESS_TOKEN_JOBS, wabasManifest } from '../../domains/wabas/manifest.js';
import { WabaRepository } from '../../domains/wabas/repository.js';
import { wabaActionRoutes } from '../../domains/wabas/routes.js';
import { projectWaba } from '../../domains/wabas/view.js';
import { WhatsappThreadActions } from '../../domains/whatsapp-threads/actions.js';
import { whatsappThreadsManifest } from '../../domains/whatsapp-threads/manifest.js';
import { WhatsappThreadRepository } from '../../domains/whatsapp-threads/repository.js';
import { whatsappThreadActionRoutes } from '../../domains/whatsapp-threads/routes.js';
import { withDeadline } from '../../kernel/deadline.js';
import { isRecord } from '../../kernel/json.js';
import type { MetaIdentity } from '../../platform/config/env.js';
import type { DomainManifest } from '../../platform/domain/domain.js';
import { GraphClient } from '../../platform/graph/client.js';
import { ActionGuard } from '../../platform/http/action-guard.js';
import { dispatch } from '../../platform/http/dispatch.js';
import { httpErrors } from '../../platform/http/http-errors.js';
import type { HttpApiEvent, HttpResult } from '../../platform/http/types.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { DeadLetterSink } from '../../platform/queue/ports.js';
import { lambda } from '../../platform/runtime/lambda.js';
import { type MetaSecrets, type SecretSource, systemUserToken } from '../../platform/secrets/meta-secrets.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { RegisterStore } from '../../platform/store/ports.js';
import { composeOnboarding } from '../onboarding.js';
import { ROUTES } from '../routes.js';

export interface ActionsDeps {
  solutions: SolutionActions;
  threads: ThreadActions;
  whatsappThreads: WhatsappThreadActions;
  businessTokens: BusinessTokenDeps;
  /** The onboarding workflow: its jobs, and the operator's retry, skip and revoke. */
  onboarding: OnboardingDeps;
  /** Action leases and idempotency records (the control table). */
  control: ControlTable;
  now?: () => number;
  telemetry: Telemetry;
  /** The business-token jobs' DLQ: an invalid job goes there at once. */
  deadLetters: DeadLetterSink;
}

/** API Gateway ends an integration after 30 s: a call to Meta must finish (or give up) before that. */
export const ACTION_BUDGET_MS = 27_000;
/** Kept free before the function's own timeout to answer. */
const ACTION_MARGIN_MS = 1_500;

/** When every Graph call of this request, retries included, must be done. */
const actionDeadline = (context: Context): number =>
  Date.now() + Math.max(0, Math.min(ACTION_BUDGET_MS, context.getRemainingTimeInMillis() - ACTION_MARGIN_MS));

const isSqsEvent = (event: unknown): event is SQSEvent => isRecord(event) && Array.isArray(event.Records);

/**
 * The actions function: each domain's action routes (and thread reads, which may refresh from Meta), every POST
 * under the guard (one action per item at a time, `Idempotency-Key`); and the onboarding jobs (business tokens
 * first) queued by the WABAs consumer and reconciliation.
 */
export const createActionsHandler = (deps: ActionsDeps) => {
  const guard = new ActionGuard(deps.control, deps.now);
  const now = deps.now ?? Date.now;
  const http = dispatch(ROUTES, 'actions', {
    ...solutionActionRoutes(deps.solutions, guard),
    ...threadActionRoutes(deps.threads, guard),
    ...whatsappThreadActionRoutes(deps.whatsappThreads, guard),
    ...wabaActionRoutes(deps.businessTokens, guard),
    ...onboardingActionRoutes(deps.onboarding, guard, (item) => projectWaba(item, now())),
  });
  const tokenJob = onboardingJobHandler({
    onboarding: deps.onboarding,
    legacy: businessTokenJobHandler({
      tokens: deps.businessTokens,
      telemetry: deps.telemetry,
      deadLetters: deps.deadLetters,
    }),
    telemetry: deps.telemetry,
    deadLetters: deps.deadLetters,
    queue: BUSINESS_TOKEN_JOBS.name,
  });
  return lambda(
    deps.telemetry,
    async (event: HttpApiEvent | SQSEvent, context: Context): Promise<HttpResult | SQSBatchResponse> => {
      if (isSqsEvent(event)) {
        return processPartialResponse(event, tokenJob, new BatchProcessor(EventType.SQS), {
          context,
          throwOnFullBatchFailure: false,
        });
      }
      return withDeadline(actionDeadline(context), () => http(event, context));
    },
  ).use(httpErrors(deps.telemetry));
};

export interface ActionsPorts {
  /** Both sides of a domain's table. */
  table(domain: DomainManifest): RegisterStore;
  control: ControlTable;
  identity: MetaIdentity;
  metaSecrets: SecretSource<MetaSecrets>;
  pageTokens: SecretSource<PageTokens>;
  /** Instagram account → linked Page, as configured (the rest is discovered). */
  instagramLinks: ReadonlyMap<string, string>;
  /** Where fetched business tokens are kept, and the prefix of their names. */
  businessTokens: { store: SecretStore; secretPrefix: string };
  /** What onboarding does after PARTNER_ADDED (credit line, override, registration, grace days). */
  onboarding: OnboardingSettings;
  deadLetters: DeadLetterSink;
  telemetry: Telemetry;
  now?: () => number;
}

/** The actions function from its ports: in its Lambda and in local mode alike. */
export const composeActions = (ports: ActionsPorts) => {
  const { now, identity, pageTokens } = ports;
  const clock = now === undefined ? {} : { now };
  // Actions answer an HTTP request: retries stay within API Gateway's 30 s.
  const graph = new GraphClient({
    baseUrl: identity.graphApiBaseUrl,
    token: systemUserToken(ports.metaSecrets),
    maxAttempts: 3,
    ...clock,
  });
  const wabas = new WabaRepository(ports.table(wabasManifest), now);
  const businessTokens: BusinessTokenDeps = {
    graph,
    wabas,
    store: ports.businessTokens.store,
    secretPrefix: ports.businessTokens.secretPrefix,
    control: ports.control,
    ...clock,
  };
  return createActionsHandler({
    solutions: new SolutionActions({
      graph,
      solutions: new SolutionRepository(ports.table(solutionsManifest)),
      ...clock,
    }),
    threads: new ThreadActions({
      graph,
      threads: new ThreadRepository(ports.table(threadsManifest), now),
      pageTokens,
      instagramPages: new InstagramPages({ graph, pageTokens, configured: ports.instagramLinks, ...clock }),
      appId: identity.appId,
      ...clock,
    }),
    whatsappThreads: new WhatsappThreadActions({
      graph,
      threads: new WhatsappThreadRepository(ports.table(whatsappThreadsManifest), now),
      ...clock,
    }),
    businessTokens,
    onboarding: composeOnboarding({
      graph,
      wabas: ports.table(wabasManifest),
      control: ports.control,
      secrets: ports.businessTokens.store,
      metaSecrets: ports.metaSecrets,
      settings: ports.onboarding,
      identity,
      businessTokens,
      telemetry: ports.telemetry,
      ...clock,
    }),
    control: ports.control,
    telemetry: ports.telemetry,
    deadLetters: ports.deadLetters,
    ...clock,
  });
};
