import type { Context } from 'aws-lambda';
import { createActionsHandler } from '../shared/app/actions/handler.js';
import { createReadApiHandler } from '../shared/app/api/read-api.js';
import { createReconcileHandler } from '../shared/app/reconcile/handler.js';
import { createWebhookHandler } from '../shared/app/webhook/handle-webhook.js';
import type { SolutionRepository, ThreadRepository, WabaRepository } from '../shared/domains/repositories.js';
import { SolutionActions } from '../shared/domains/solutions/actions.js';
import { ThreadActions } from '../shared/domains/threads/actions.js';
import { parseInstagramLinks } from '../shared/domains/threads/instagram-links.js';
import { InstagramPages } from '../shared/domains/threads/instagram-pages.js';
import { envPageTokens } from '../shared/domains/threads/page-tokens.js';
import { type Env, EnvReader, type MetaIdentity, readMetaIdentity } from '../shared/platform/config.js';
import { ENV } from '../shared/platform/constants.js';
import { GraphClient } from '../shared/platform/graph/client.js';
import type { RoutedFunction } from '../shared/platform/http/routes.js';
import type { HttpApiEvent, HttpResult } from '../shared/platform/http/types.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import type { ClaimWriter, DeadLetterSink, MessageSink } from '../shared/platform/queue/ports.js';
import { EnvelopePublisher } from '../shared/platform/queue/publisher.js';
import { envSecretSource, systemUserToken } from '../shared/platform/secrets/meta-secrets.js';
import type { ControlTable } from '../shared/platform/store/control.js';
import type { FileArchive } from './file-archive.js';
import { localContext } from './lambda-context.js';
import type { MemorySecretStore } from './secret-store.js';

export interface LocalFunctionDeps {
  env: Env;
  now: () => number;
  /** The sandbox's base URL, when local mode runs one instead of Meta's Graph API. */
  sandboxUrl: string | undefined;
  repositories: { solutions: SolutionRepository; wabas: WabaRepository; threads: ThreadRepository };
  control: ControlTable;
  sink: MessageSink;
  claims: ClaimWriter;
  tokenDeadLetters: DeadLetterSink;
  archive: FileArchive;
  /** Where fetched business tokens are kept: on disk beside the tables that record them, or in memory. */
  secretStore: MemorySecretStore;
}

/** Local mode's functions: the same handler factories the Lambda entry points call, with local adapters. */
export const createLocalFunctions = (deps: LocalFunctionDeps) => {
  const { env, now, repositories } = deps;
  const reader = new EnvReader({
    ...env,
    ...(deps.sandboxUrl === undefined ? {} : { [ENV.graphApiBaseUrl]: deps.sandboxUrl }),
  });
  const identity: MetaIdentity = readMetaIdentity(reader);
  const instagramLinks = reader.parsed(ENV.instagramPages, parseInstagramLinks, new Map<string, string>());
  reader.done(identity);
  const pageTokens = envPageTokens(env);
  const secrets = envSecretSource(env);
  const token = systemUserToken(secrets);
  const graph = new GraphClient({ baseUrl: identity.graphApiBaseUrl, token, maxAttempts: 3, now });
  const { secretStore } = deps;
  const webhook = createWebhookHandler({
    secrets,
    publisher: new EnvelopePublisher(deps.sink, deps.claims),
    archive: deps.archive,
    telemetry: new Telemetry('webhook'),
    now,
  });
  const api = createReadApiHandler({ ...repositories, telemetry: new Telemetry('api') });
  const reconcile = createReconcileHandler({
    ...repositories,
    control: deps.control,
    identity,
    telemetry: new Telemetry('reconcile'),
    safetyMarginMs: 2_000,
    now,
    graphFor: (deadline) => new GraphClient({ baseUrl: identity.graphApiBaseUrl, token, deadline, now }),
    replay: { reader: deps.archive, publisher: new EnvelopePublisher(deps.sink, deps.claims) },
  });
  const actions = createActionsHandler({
    solutions: new SolutionActions({ graph, solutions: repositories.solutions, now }),
    threads: new ThreadActions({
      graph,
      threads: repositories.threads,
      pageTokens,
      instagramPages: new InstagramPages({ graph, pageTokens, configured: instagramLinks, now }),
      appId: identity.appId,
      now,
    }),
    businessTokens: {
      graph,
      wabas: repositories.wabas,
      store: secretStore,
      secretPrefix: 'switchboard/business-tokens/',
      control: deps.control,
      now,
    },
    control: deps.control,
    now,
    telemetry: new Telemetry('actions'),
    deadLetters: deps.tokenDeadLetters,
  });
  return { identity, secretStore, webhook, api, reconcile, actions };
};

type Handler = (event: HttpApiEvent, context: Context) => Promise<unknown>;

/** Each routed function as the HTTP adapter calls it: a fresh Lambda-like context per request. */
export const routedHandlers = (functions: Record<RoutedFunction, Handler>) => {
  const invoke = (name: RoutedFunction) => async (event: HttpApiEvent) =>
    (await functions[name](event, localContext(name, 29_000))) as HttpResult;
  return {
    webhook: invoke('webhook'),
    api: invoke('api'),
    actions: invoke('actions'),
    // An on-demand run may use the whole local budget; API Gateway's 30 s do not apply on loopback.
    reconcile: invoke('reconcile'),
  } satisfies Record<RoutedFunction, (event: HttpApiEvent) => Promise<HttpResult>>;
};
