import { join } from 'node:path';
import { userIdPolicy } from '../shared/app/privacy/event-user-ids.js';
import { idleSecondsOf } from '../shared/app/privacy/settings.js';
import { DOMAIN_MODULES } from '../shared/domains/modules.js';
import { ENV } from '../shared/platform/config/constants.js';
import type { Env } from '../shared/platform/config/env.js';
import type { DomainManifest, DomainModule } from '../shared/platform/domain/domain.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { PASSTHROUGH } from '../shared/platform/queue/envelope.js';
import { ControlTable } from '../shared/platform/store/control.js';
import { RegisterTable } from '../shared/platform/store/register-table.js';
import { LocalClaimStore } from './claim-store.js';
import { createLocalConsumers } from './consumers.js';
import { DEV_DEFAULTS } from './defaults.js';
import { type LocalDynamo, startLocalDynamo } from './dynalite.js';
import { LocalEventBus } from './event-bus.js';
import { FileArchive } from './file-archive.js';
import { createLocalFunctions, routedHandlers } from './functions.js';
import { startHttpServer } from './http-adapter.js';
import { type LocalQueue, LocalQueues, queueWithDlq } from './in-process-queue.js';
import { closeAll, drainQueues } from './lifecycle.js';
import type { LocalConsumer } from './local-consumer.js';
import { localRoutes } from './local-routes.js';
import { StreamedTable } from './local-stream.js';
import { type LocalPrivacy, localPrivacy, privacyPorts } from './privacy.js';
import { createLocalRelay, type LocalRelay } from './relay.js';
import { type DomainRepositories, domainRepositories } from './repositories.js';
import { startSandboxGraph } from './sandbox-graph.js';
import { FileSecretStore, MemorySecretStore } from './secret-store.js';
import { StreamIntents } from './stream-intents.js';

export interface LocalStackOptions {
  env: Env;
  port?: number;
  /** Folder for dynalite data and claim checks; undefined keeps everything in memory. */
  dataDir?: string;
  /** Every queue's timing when set (tests and benchmarks compress time); unset, each keeps its own default. */
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  now?: () => number;
  /** False leaves messages in the queues (benchmarks and fuzzing of the webhook alone). */
  consumers?: boolean;
  /** The domains to run: the registry's (`shared/domains/modules.ts`) unless a test adds one. */
  domains?: readonly DomainModule[];
}

export interface LocalStack {
  url: string;
  env: Env;
  queues: LocalQueues;
  /** The domains' job queues by name (`business-tokens`), consumed by the actions function. */
  jobQueues: Readonly<Record<string, LocalQueue>>;
  businessTokenQueue: LocalQueue;
  consumers: LocalConsumer[];
  /** The relay's destinations, their queues and deliverers (`RELAY_DESTINATIONS`). */
  relay: LocalRelay;
  secretStore: MemorySecretStore;
  /** Domain events in publish order (`GET /local/events`). */
  events: LocalEventBus;
  /** The sandbox Graph API's base URL, when local mode runs one. */
  sandboxUrl: string | undefined;
  /** Each domain's table (behind the local stream), by domain name. */
  tables: Readonly<Record<string, StreamedTable>>;
  repositories: DomainRepositories;
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

interface QueueTiming {
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
}

/** The domain queues: a failed batch comes back soon, and five receives make a poison message a DLQ entry. */
const DOMAIN_QUEUE_TIMING: QueueTiming = { visibilityTimeoutMs: 2_000, maxReceiveCount: 5 };

/**
 * The business-token jobs: a consumer killed mid-fetch (`kill -9`) leaves the business's fetch lease held until
 * it lapses (`FETCH_LEASE_MS` in shared/domains/wabas/business-tokens.ts: the actions function's 30 s plus margin).
 * Its job (duplicates of it are done meanwhile: the job's own message carries the work) and the jobs of other
 * WABAs of the business come back after the visibility timeout: longer than the lease, as AWS's 180 s are, so
 * the first retry finds it lapsed whatever receive the holder died on; five receives, as in AWS.
 */
const BUSINESS_TOKEN_QUEUE_TIMING: QueueTiming = { visibilityTimeoutMs: 40_000, maxReceiveCount: 5 };

/** Each queue's timing: the caller's where set, else the queue's own default. */
export const localQueueTiming = (
  options: Pick<LocalStackOptions, 'visibilityTimeoutMs' | 'maxReceiveCount'>,
): { domain: QueueTiming; businessTokens: QueueTiming } => {
  const timing = (defaults: QueueTiming): QueueTiming => ({
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? defaults.visibilityTimeoutMs,
    maxReceiveCount: options.maxReceiveCount ?? defaults.maxReceiveCount,
  });
  return { domain: timing(DOMAIN_QUEUE_TIMING), businessTokens: timing(BUSINESS_TOKEN_QUEUE_TIMING) };
};

/** A real Graph API only when the user configured both its URL and a token; else the sandbox. */
export const usesSandbox = (env: Env): boolean => !(env[ENV.graphApiBaseUrl] && env.META_SYSTEM_USER_TOKEN);

/**
 * Each domain's table behind the local stream, which derives the domain's events from every write. With a data
 * folder the bus and each table's stream intents are journals, and writes a `kill -9` left unpublished are
 * published before anything else runs.
 */
const streamedTables = async (
  dynamo: Pick<LocalDynamo, 'client' | 'tableNames'>,
  domains: readonly DomainModule[],
  dataDir: string | undefined,
  privacy: LocalPrivacy,
) => {
  const events = new LocalEventBus(dataDir === undefined ? undefined : join(dataDir, 'events.jsonl'));
  // User IDs in events as the deployment's `eventUserIds` says (the events function does the same in AWS).
  const policy = userIdPolicy(events, privacy.eventUserIds, async () => privacy.eventUserIdKey);
  const publisher = { has: (id: string) => events.has(id), publish: policy.publish.bind(policy) };
  const tables: Record<string, StreamedTable> = {};
  for (const { manifest, events: derive } of domains) {
    const table = new StreamedTable(
      new RegisterTable(dynamo.client, dynamo.tableNames[manifest.name] ?? '', {
        idleSeconds: idleSecondsOf(privacy.retention),
        now: privacy.now,
      }),
      derive,
      publisher,
      dataDir === undefined
        ? undefined
        : new StreamIntents(join(dataDir, 'stream', `${manifest.name}.jsonl`)),
    );
    await table.recover();
    tables[manifest.name] = table;
  }
  return { events, tables };
};

/**
 * The webhook's queues (each domain's and passthrough) and the domains' job queues. With a data folder every
 * queue is journaled: a 200 means the delivery is on disk (CONTRACT: durably queued).
 */
const localQueues = (manifests: readonly DomainManifest[], options: LocalStackOptions) => {
  const timing = localQueueTiming(options);
  const journal = options.dataDir === undefined ? {} : { journalDir: join(options.dataDir, 'queues') };
  const queues = new LocalQueues([...manifests.map((domain) => domain.name), PASSTHROUGH], {
    ...timing.domain,
    ...journal,
  });
  const jobQueues = Object.fromEntries(
    manifests
      .flatMap((domain) => domain.jobs ?? [])
      .map((job) => [job.name, queueWithDlq(job.name, { ...timing.businessTokens, ...journal })]),
  );
  const businessTokenQueue =
    jobQueues['business-tokens'] ?? queueWithDlq('business-tokens', timing.businessTokens);
  return { queues, jobQueues, businessTokenQueue };
};

/**
 * Everything on one machine: dynalite, the in-process queues with the real consumer handlers attached,
 * and the HTTP API on 127.0.0.1 in front of the same handlers the Lambda functions run.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const env = withDevDefaults(options.env);
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir;
  const domains = options.domains ?? DOMAIN_MODULES;
  const manifests = domains.map((domain) => domain.manifest);
  const privacy = localPrivacy(env, now);
  // The relay's configuration is checked before anything starts (a bad one ends here, leaving nothing running).
  const { claims, archive, relay } = localStores(env, dataDir, now, privacy);
  const dynamo = await startLocalDynamo({
    domains: manifests,
    ...(dataDir === undefined ? {} : { path: join(dataDir, 'dynamodb') }),
  });
  // Every table write goes through the local stream: domain events, as the DynamoDB streams give them in AWS.
  const { events, tables } = await streamedTables(dynamo, domains, dataDir, privacy);
  const repositories = domainRepositories(tables, now);
  const { queues, jobQueues, businessTokenQueue } = localQueues(manifests, options);
  // Graph API: the sandbox unless the user pointed local mode at Meta with a real token.
  const sandboxWebhook = { url: '', appSecret: env.META_APP_SECRET ?? '' };
  const sandboxState = dataDir === undefined ? undefined : join(dataDir, 'sandbox', 'state.json');
  const sandbox = usesSandbox(options.env)
    ? await startSandbox(env, sandboxWebhook, now, sandboxState)
    : undefined;
  const functions = createLocalFunctions({
    env,
    now,
    sandboxUrl: sandbox?.baseUrl,
    tables,
    domains: manifests,
    control: new ControlTable(dynamo.client, dynamo.tableNames.control ?? ''),
    sink: queues,
    claims,
    tokenDeadLetters: businessTokenQueue.deadLetters(),
    archive,
    privacy: privacyPorts(dynamo, domains, events, privacy),
    jobQueues,
    relay,
    secretStore:
      dataDir === undefined
        ? new MemorySecretStore()
        : new FileSecretStore(join(dataDir, 'secrets', 'business-tokens.json')),
  });
  const consumers = createLocalConsumers({
    env,
    domains,
    queues: queues.queues,
    tables,
    jobQueues,
    actions: functions.actions,
  });
  if (options.consumers !== false) for (const each of [...consumers, ...relay.consumers]) each.start();
  const http = await startHttpServer({
    port: options.port ?? 3000,
    handlers: routedHandlers(functions),
    localRoutes: localRoutes({ ...queues.queues, ...jobQueues, ...relay.queues }, events),
    onError: (error) =>
      new Telemetry('local').logger.error('request failed outside any handler', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  });
  sandboxWebhook.url = `${http.url}/webhook`;
  const queuesToDrain = [
    ...manifests.flatMap((domain) => queues.queues[domain.name] ?? []),
    ...Object.values(jobQueues),
  ];
  return {
    url: http.url,
    env,
    queues,
    jobQueues,
    businessTokenQueue,
    consumers,
    relay,
    secretStore: functions.secretStore,
    events,
    sandboxUrl: sandbox?.baseUrl,
    tables,
    repositories,
    dynamo,
    drain: (timeoutMs = 10_000) => drainQueues(consumers, queuesToDrain, timeoutMs),
    close: () => closeAll({ http, consumers, relay, sandbox, dynamo, queues, jobQueues, events }),
  };
};

/** Claim checks and the archive (in the data folder, or in memory), and the relay that reads both. */
const localStores = (env: Env, dataDir: string | undefined, now: () => number, privacy: LocalPrivacy) => {
  const claims = new LocalClaimStore(dataDir === undefined ? undefined : join(dataDir, 'claims'));
  const archive = new FileArchive(dataDir === undefined ? undefined : join(dataDir, 'archive'), {
    retention: privacy.retention,
    now,
  });
  return { claims, archive, relay: createLocalRelay({ env, dataDir, claims, now }) };
};

const startSandbox = (
  env: Env,
  webhook: { url: string; appSecret: string },
  now: () => number,
  stateFile: string | undefined,
) =>
  startSandboxGraph({
    appId: env.META_APP_ID ?? '',
    businessId: env.META_BUSINESS_ID ?? '',
    systemUserToken: env.META_SYSTEM_USER_TOKEN ?? '',
    pageToken: env.META_PAGE_ACCESS_TOKEN ?? '',
    webhook,
    now,
    ...(stateFile === undefined ? {} : { stateFile }),
  });
