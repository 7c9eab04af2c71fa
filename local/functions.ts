import type { Context } from 'aws-lambda';
import { composeActions } from '../shared/app/roots/actions.js';
import { composeApi } from '../shared/app/roots/api.js';
import { composePrivacy } from '../shared/app/roots/privacy.js';
import { composeReconcile } from '../shared/app/roots/reconcile.js';
import { composeWebhook } from '../shared/app/roots/webhook.js';
import { readOnboardingSettings } from '../shared/domains/onboarding/config.js';
import { parseInstagramLinks } from '../shared/domains/threads/instagram-links.js';
import { THREAD_ENV } from '../shared/domains/threads/manifest.js';
import { envPageTokens } from '../shared/domains/threads/page-tokens.js';
import { businessTokenSecretPrefix, WABA_ENV } from '../shared/domains/wabas/manifest.js';
import type { Retention } from '../shared/kernel/retention.js';
import { ENV } from '../shared/platform/config/constants.js';
import { type Env, EnvReader, type MetaIdentity, readMetaIdentity } from '../shared/platform/config/env.js';
import type { DomainManifest, DomainModule, JobSender } from '../shared/platform/domain/domain.js';
import type { EventPublisher } from '../shared/platform/events/ports.js';
import type { RoutedFunction } from '../shared/platform/http/routes.js';
import type { HttpApiEvent, HttpResult } from '../shared/platform/http/types.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import type { ClaimWriter, DeadLetterSink, MessageSink } from '../shared/platform/queue/ports.js';
import { envSecretSource } from '../shared/platform/secrets/meta-secrets.js';
import type { ControlTable } from '../shared/platform/store/control.js';
import type { ErasureStore } from '../shared/platform/store/erasure.js';
import type { RegisterStore } from '../shared/platform/store/ports.js';
import type { FileArchive } from './file-archive.js';
import type { LocalQueue } from './in-process-queue.js';
import { localContext } from './lambda-context.js';
import type { LocalRelay } from './relay.js';
import type { MemorySecretStore } from './secret-store.js';

/** Local mode's name for its stack: business-token secrets are kept under `switchboard/business-tokens/`. */
export const LOCAL_STACK_NAME = 'switchboard';

export interface LocalFunctionDeps {
  env: Env;
  now: () => number;
  /** The sandbox's base URL, when local mode runs one instead of Meta's Graph API. */
  sandboxUrl: string | undefined;
  /** Each domain's table (behind the local stream), by domain name. */
  tables: Readonly<Record<string, RegisterStore>>;
  /** The domains whose queues the webhook routes to. */
  domains: readonly DomainManifest[];
  control: ControlTable;
  sink: MessageSink;
  claims: ClaimWriter;
  tokenDeadLetters: DeadLetterSink;
  archive: FileArchive;
  /** Where fetched business tokens are kept: on disk beside the tables that record them, or in memory. */
  secretStore: MemorySecretStore;
  /** The privacy function's erasure side of each domain table, its bus (`User Erased`) and retention. */
  privacy: {
    modules: readonly DomainModule[];
    store(domain: DomainManifest): ErasureStore;
    events: EventPublisher;
    retention: Retention;
  };
  /** The domains' job queues (reconciliation queues onboarding jobs there). */
  jobQueues?: Readonly<Record<string, LocalQueue>>;
  /** The relay: the webhook's copies, and the destinations' queues for `POST /v1/relay/{name}/replay`. */
  relay: Pick<LocalRelay, 'copies' | 'queuePorts'>;
}

/** Sends to the local job queues, as the consumers do. */
const localJobs = (queues: Readonly<Record<string, LocalQueue>>): JobSender => ({
  has: (queue) => Object.hasOwn(queues, queue),
  send: async (queue, body) => {
    const target = queues[queue];
    if (target === undefined) throw new Error(`no local job queue ${queue}`);
    target.send(body);
  },
});

/** Local mode's functions: the same composition roots the Lambda entry points call, with local adapters. */
export const createLocalFunctions = (deps: LocalFunctionDeps) => {
  const { env, now } = deps;
  const reader = new EnvReader({
    ...env,
    ...(deps.sandboxUrl === undefined ? {} : { [ENV.graphApiBaseUrl]: deps.sandboxUrl }),
  });
  const identity: MetaIdentity = readMetaIdentity(reader);
  const instagramLinks = reader.parsed(
    THREAD_ENV.instagramPages,
    parseInstagramLinks,
    new Map<string, string>(),
  );
  const onboarding = readOnboardingSettings(reader);
  const businessTokens = reader.boolean(WABA_ENV.businessTokensEnabled, false);
  reader.done(identity);
  const secretPrefix = businessTokenSecretPrefix(LOCAL_STACK_NAME);
  const table = (domain: DomainManifest): RegisterStore => {
    const found = deps.tables[domain.name];
    if (found === undefined) throw new Error(`no local table for ${domain.name}`);
    return found;
  };
  const metaSecrets = envSecretSource(env);
  const intake = { sink: deps.sink, claims: deps.claims, domains: deps.domains };
  const webhook = composeWebhook({
    ...intake,
    ...(deps.relay.copies === undefined ? {} : { copies: deps.relay.copies }),
    secrets: metaSecrets,
    archive: deps.archive,
    telemetry: new Telemetry('webhook'),
    now,
  });
  const api = composeApi({ table, telemetry: new Telemetry('api'), now });
  const reconcile = composeReconcile({
    table,
    control: deps.control,
    identity,
    metaSecrets,
    safetyMarginMs: 2_000,
    telemetry: new Telemetry('reconcile'),
    now,
    replay: { ...intake, reader: deps.archive },
    ...(businessTokens && deps.jobQueues !== undefined
      ? {
          onboarding: {
            secrets: deps.secretStore,
            secretPrefix,
            jobs: localJobs(deps.jobQueues),
            settings: onboarding,
          },
        }
      : {}),
    relay: deps.relay.queuePorts,
  });
  const actions = composeActions({
    table,
    control: deps.control,
    identity,
    metaSecrets,
    pageTokens: envPageTokens(env),
    instagramLinks,
    businessTokens: { store: deps.secretStore, secretPrefix },
    onboarding,
    deadLetters: deps.tokenDeadLetters,
    telemetry: new Telemetry('actions'),
    now,
  });
  const privacy = composePrivacy({
    domains: deps.privacy.modules,
    store: deps.privacy.store,
    control: deps.control,
    secrets: metaSecrets,
    publisher: deps.privacy.events,
    retention: deps.privacy.retention,
    telemetry: new Telemetry('privacy'),
    now,
  });
  return { identity, secretStore: deps.secretStore, webhook, api, reconcile, actions, privacy };
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
    privacy: invoke('privacy'),
  } satisfies Record<RoutedFunction, (event: HttpApiEvent) => Promise<HttpResult>>;
};
