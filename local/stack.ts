import { join } from 'node:path';
import type { SecretStore } from '../shared/actions/business-tokens.js';
import { businessTokenFollowUp } from '../shared/actions/business-tokens.js';
import { createActionsHandler } from '../shared/actions/handler.js';
import { SolutionActions } from '../shared/actions/solution-actions.js';
import { ThreadActions } from '../shared/actions/thread-actions.js';
import { createReadApiHandler } from '../shared/api/read-api.js';
import { type Env, EnvReader, readMetaIdentity } from '../shared/config.js';
import { ENV } from '../shared/constants.js';
import { type ConsumerSpec, createConsumerHandler } from '../shared/consumers/consumer.js';
import { solutionsConsumer, threadsConsumer, wabasConsumer } from '../shared/consumers/specs.js';
import { GraphClient } from '../shared/graph/client.js';
import type { RoutedFunction } from '../shared/http/routes.js';
import type { HttpApiEvent, HttpResult } from '../shared/http/types.js';
import { Telemetry } from '../shared/observability/telemetry.js';
import { EnvelopePublisher } from '../shared/queue/publisher.js';
import { createReconcileHandler } from '../shared/reconcile/handler.js';
import { envSecretSource, systemUserToken } from '../shared/secrets/meta-secrets.js';
import { envPageTokens } from '../shared/secrets/page-tokens.js';
import { ControlTable } from '../shared/store/control.js';
import { RegisterTable } from '../shared/store/register-table.js';
import { SolutionRepository, ThreadRepository, WabaRepository } from '../shared/store/repositories.js';
import { createWebhookHandler } from '../shared/webhook/handle-webhook.js';
import { LocalClaimStore } from './claim-store.js';
import { DEV_DEFAULTS } from './defaults.js';
import { type LocalDynamo, startLocalDynamo } from './dynalite.js';
import { startHttpServer } from './http-adapter.js';
import { LocalQueue, LocalQueues } from './in-process-queue.js';
import { localContext } from './lambda-context.js';
import { LocalConsumer } from './local-consumer.js';
import { localRoutes } from './local-routes.js';
import { startSandboxGraph } from './sandbox-graph.js';

/** Business tokens fetched in local mode stay in memory: they are the sandbox's, and never written to disk. */
export class MemorySecretStore implements SecretStore {
  public readonly secrets = new Map<string, string>();

  public async put(name: string, value: string): Promise<string> {
    this.secrets.set(name, value);
    return name;
  }
}

export interface LocalStackOptions {
  env: Env;
  port?: number;
  /** Folder for dynalite data and claim checks; undefined keeps everything in memory. */
  dataDir?: string;
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  now?: () => number;
  /** False leaves messages in the queues (benchmarks and fuzzing of the webhook alone). */
  consumers?: boolean;
}

export interface LocalStack {
  url: string;
  env: Env;
  queues: LocalQueues;
  businessTokenQueue: LocalQueue;
  consumers: LocalConsumer[];
  secretStore: MemorySecretStore;
  /** The sandbox Graph API's base URL, when local mode runs one. */
  sandboxUrl: string | undefined;
  repositories: { solutions: SolutionRepository; wabas: WabaRepository; threads: ThreadRepository };
  dynamo: Pick<LocalDynamo, 'endpoint' | 'client' | 'tableNames'>;
  /** Resolves once no queue holds a visible message and no batch is in flight. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The environment with development defaults filled in where the user supplied nothing. */
export const withDevDefaults = (env: Env): Env => {
  const filled: Env = { ...env };
  for (const [name, value] of Object.entries(DEV_DEFAULTS)) {
    if (name === 'META_PAGE_ACCESS_TOKEN' && env.META_PAGE_ACCESS_TOKENS) continue;
    if (filled[name] === undefined || filled[name] === '') filled[name] = value;
  }
  return filled;
};

/** A real Graph API only when the user configured both its URL and a token; else the sandbox. */
export const usesSandbox = (env: Env): boolean => !(env[ENV.graphApiBaseUrl] && env.META_SYSTEM_USER_TOKEN);

/**
 * Everything on one machine: dynalite, the in-process queues with the real consumer handlers attached,
 * and the HTTP API on 127.0.0.1 in front of the same handlers the Lambda functions run.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const env = withDevDefaults(options.env);
  const now = options.now ?? Date.now;
  const dynamo = await startLocalDynamo(
    options.dataDir === undefined ? {} : { path: join(options.dataDir, 'dynamodb') },
  );
  const repositories = {
    solutions: new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions)),
    wabas: new WabaRepository(new RegisterTable(dynamo.client, dynamo.tableNames.wabas)),
    threads: new ThreadRepository(new RegisterTable(dynamo.client, dynamo.tableNames.threads), now),
  };
  const queues = new LocalQueues({
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 2_000,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  const claims = new LocalClaimStore(
    options.dataDir === undefined ? undefined : join(options.dataDir, 'claims'),
  );
  const secrets = envSecretSource(env);

  const webhook = createWebhookHandler({
    secrets,
    publisher: new EnvelopePublisher(queues, claims),
    telemetry: new Telemetry('webhook'),
    now,
  });
  const api = createReadApiHandler({ ...repositories, telemetry: new Telemetry('api') });

  // Graph API: the sandbox unless the user pointed local mode at Meta with a real token.
  const sandboxWebhook = { url: '', appSecret: env.META_APP_SECRET ?? '' };
  const sandbox = usesSandbox(options.env)
    ? await startSandboxGraph({
        appId: env.META_APP_ID ?? '',
        businessId: env.META_BUSINESS_ID ?? '',
        systemUserToken: env.META_SYSTEM_USER_TOKEN ?? '',
        pageToken: env.META_PAGE_ACCESS_TOKEN ?? '',
        webhook: sandboxWebhook,
        now,
      })
    : undefined;
  const reader = new EnvReader({
    ...env,
    ...(sandbox === undefined ? {} : { [ENV.graphApiBaseUrl]: sandbox.baseUrl }),
  });
  const identity = reader.done(readMetaIdentity(reader));
  const graphToken = systemUserToken(secrets);
  const graph = new GraphClient({
    baseUrl: identity.graphApiBaseUrl,
    token: graphToken,
    maxAttempts: 3,
    now,
  });
  const reconcile = createReconcileHandler({
    wabas: repositories.wabas,
    solutions: repositories.solutions,
    control: new ControlTable(dynamo.client, dynamo.tableNames.control),
    identity,
    telemetry: new Telemetry('reconcile'),
    safetyMarginMs: 2_000,
    now,
    graphFor: (deadline) =>
      new GraphClient({ baseUrl: identity.graphApiBaseUrl, token: graphToken, deadline, now }),
  });
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 2_000;
  const businessTokenQueue = new LocalQueue('business-tokens', {
    visibilityTimeoutMs,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    dlq: new LocalQueue('business-tokens-dlq', { visibilityTimeoutMs }),
  });
  const secretStore = new MemorySecretStore();
  const actions = createActionsHandler({
    solutions: new SolutionActions({ graph, solutions: repositories.solutions, now }),
    threads: new ThreadActions({
      graph,
      threads: repositories.threads,
      pageTokens: envPageTokens(env),
      appId: identity.appId,
      now,
    }),
    businessTokens: {
      graph,
      wabas: repositories.wabas,
      store: secretStore,
      secretPrefix: 'switchboard/business-tokens/',
      now,
    },
    telemetry: new Telemetry('actions'),
    deadLetters: businessTokenQueue.deadLetters(),
  });

  const tokensEnabled = new EnvReader(env).boolean(ENV.businessTokensEnabled, false);
  const followUp = tokensEnabled
    ? businessTokenFollowUp(async (body) => {
        businessTokenQueue.send(body);
      }, identity.businessId || undefined)
    : undefined;

  const consumerOptions = { batchSize: 10, batchWindowMs: 5, concurrency: 2, timeoutMs: 30_000 };
  const onConsumerError = (error: unknown) =>
    new Telemetry('local').logger.error('consumer invocation failed', { error: String(error) });
  const consumer = (
    queue: LocalQueue,
    name: string,
    handler: ConstructorParameters<typeof LocalConsumer>[1],
  ) => new LocalConsumer(queue, handler, { ...consumerOptions, functionName: name }, onConsumerError);
  const domainConsumer = <E>(
    queue: LocalQueue,
    name: string,
    spec: (telemetry: Telemetry) => ConsumerSpec<E>,
  ) => {
    const telemetry = new Telemetry(name);
    return consumer(
      queue,
      name,
      createConsumerHandler(spec(telemetry), { claims, telemetry, deadLetters: queue.deadLetters() }),
    );
  };
  const consumers = [
    domainConsumer(queues.queues.solutions, 'solutions', (telemetry) =>
      solutionsConsumer(repositories.solutions, telemetry),
    ),
    domainConsumer(queues.queues.wabas, 'wabas', (telemetry) =>
      wabasConsumer(repositories.wabas, telemetry, followUp),
    ),
    domainConsumer(queues.queues.threads, 'threads', () => threadsConsumer(repositories.threads)),
    // Business-token jobs go to the actions function, as in AWS.
    consumer(businessTokenQueue, 'actions', actions),
  ];
  if (options.consumers !== false) for (const each of consumers) each.start();

  const invoke =
    (
      name: string,
      handler: (event: HttpApiEvent, context: ReturnType<typeof localContext>) => Promise<unknown>,
    ) =>
    async (event: HttpApiEvent) =>
      (await handler(event, localContext(name, 29_000))) as HttpResult;
  const handlers: Record<RoutedFunction, (event: HttpApiEvent) => Promise<HttpResult>> = {
    webhook: invoke('webhook', webhook),
    api: invoke('api', api),
    actions: invoke('actions', actions),
    // An on-demand run may use the whole local budget; API Gateway's 30 s do not apply on loopback.
    reconcile: invoke('reconcile', reconcile),
  };
  const http = await startHttpServer({
    port: options.port ?? 3000,
    handlers,
    localRoutes: localRoutes({ ...queues.queues, 'business-tokens': businessTokenQueue }),
    onError: (error) =>
      new Telemetry('local').logger.error('request failed outside any handler', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  });
  sandboxWebhook.url = `${http.url}/webhook`;

  const drain = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.all(consumers.map((consumer) => consumer.idle()));
      const tokens = businessTokenQueue.size();
      const busy =
        tokens.visible + tokens.inFlight > 0 ||
        queues.stats().some((stats) => stats.name !== 'passthrough' && stats.visible + stats.inFlight > 0);
      if (!busy) return;
      if (Date.now() > deadline) throw new Error('local queues did not drain in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  return {
    url: http.url,
    env,
    queues,
    businessTokenQueue,
    consumers,
    secretStore,
    sandboxUrl: sandbox?.baseUrl,
    repositories,
    dynamo,
    drain,
    async close() {
      await http.close();
      await Promise.all(consumers.map((each) => each.stop()));
      await sandbox?.close();
      await dynamo.close();
    },
  };
};
