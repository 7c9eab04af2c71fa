import { join } from 'node:path';
import type { Env } from '../shared/config.js';
import { ENV } from '../shared/constants.js';
import { Telemetry } from '../shared/observability/telemetry.js';
import type { QueueName } from '../shared/queue/envelope.js';
import { ControlTable } from '../shared/store/control.js';
import { RegisterTable } from '../shared/store/register-table.js';
import { SolutionRepository, ThreadRepository, WabaRepository } from '../shared/store/repositories.js';
import { LocalClaimStore } from './claim-store.js';
import { createLocalConsumers } from './consumers.js';
import { DEV_DEFAULTS } from './defaults.js';
import { type LocalDynamo, startLocalDynamo } from './dynalite.js';
import { LocalEventBus } from './event-bus.js';
import { FileArchive } from './file-archive.js';
import { createLocalFunctions, routedHandlers } from './functions.js';
import { startHttpServer } from './http-adapter.js';
import { type LocalQueue, LocalQueues, queueWithDlq } from './in-process-queue.js';
import type { LocalConsumer } from './local-consumer.js';
import { localRoutes } from './local-routes.js';
import { StreamedTable } from './local-stream.js';
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
}

export interface LocalStack {
  url: string;
  env: Env;
  queues: LocalQueues;
  businessTokenQueue: LocalQueue;
  consumers: LocalConsumer[];
  secretStore: MemorySecretStore;
  /** Domain events in publish order (`GET /local/events`). */
  events: LocalEventBus;
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

interface QueueTiming {
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
}

/** The domain queues: a failed batch comes back soon, and five receives make a poison message a DLQ entry. */
const DOMAIN_QUEUE_TIMING: QueueTiming = { visibilityTimeoutMs: 2_000, maxReceiveCount: 5 };

/**
 * The business-token jobs: a consumer killed mid-fetch (`kill -9`) leaves the business's fetch lease held until
 * it lapses (`FETCH_LEASE_MS` in shared/actions/business-tokens.ts: the actions function's 30 s plus margin).
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
 * The three state tables behind the local stream, which derives the domain events of every write. With a data
 * folder the bus and each table's stream intents are journals, and writes a `kill -9` left unpublished are
 * published before anything else runs.
 */
const streamedRepositories = async (
  dynamo: Pick<LocalDynamo, 'client' | 'tableNames'>,
  dataDir: string | undefined,
  now: () => number,
) => {
  const events = new LocalEventBus(dataDir === undefined ? undefined : join(dataDir, 'events.jsonl'));
  const streamed = (table: 'solutions' | 'wabas' | 'threads') =>
    new StreamedTable(
      new RegisterTable(dynamo.client, dynamo.tableNames[table]),
      table,
      events,
      dataDir === undefined ? undefined : new StreamIntents(join(dataDir, 'stream', `${table}.jsonl`)),
    );
  const tables = { solutions: streamed('solutions'), wabas: streamed('wabas'), threads: streamed('threads') };
  for (const table of Object.values(tables)) await table.recover();
  const repositories = {
    solutions: new SolutionRepository(tables.solutions),
    wabas: new WabaRepository(tables.wabas, now),
    threads: new ThreadRepository(tables.threads, now),
  };
  return { events, repositories };
};

/**
 * Everything on one machine: dynalite, the in-process queues with the real consumer handlers attached,
 * and the HTTP API on 127.0.0.1 in front of the same handlers the Lambda functions run.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const env = withDevDefaults(options.env);
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir;
  const dynamo = await startLocalDynamo(dataDir === undefined ? {} : { path: join(dataDir, 'dynamodb') });
  // Every table write goes through the local stream: domain events, as the DynamoDB streams give them in AWS.
  const { events, repositories } = await streamedRepositories(dynamo, dataDir, now);
  const timing = localQueueTiming(options);
  // With a data folder every queue is journaled: a 200 means the delivery is on disk (CONTRACT: durably queued).
  const journal = dataDir === undefined ? {} : { journalDir: join(dataDir, 'queues') };
  const queues = new LocalQueues({ ...timing.domain, ...journal });
  const businessTokenQueue = queueWithDlq('business-tokens', { ...timing.businessTokens, ...journal });
  const claims = new LocalClaimStore(dataDir === undefined ? undefined : join(dataDir, 'claims'));
  // Graph API: the sandbox unless the user pointed local mode at Meta with a real token.
  const sandboxWebhook = { url: '', appSecret: env.META_APP_SECRET ?? '' };
  const sandbox = usesSandbox(options.env) ? await startSandbox(env, sandboxWebhook, now) : undefined;
  const functions = createLocalFunctions({
    env,
    now,
    sandboxUrl: sandbox?.baseUrl,
    repositories,
    control: new ControlTable(dynamo.client, dynamo.tableNames.control),
    sink: queues,
    claims,
    tokenDeadLetters: businessTokenQueue.deadLetters(),
    archive: new FileArchive(dataDir === undefined ? undefined : join(dataDir, 'archive')),
    secretStore:
      dataDir === undefined
        ? new MemorySecretStore()
        : new FileSecretStore(join(dataDir, 'secrets', 'business-tokens.json')),
  });
  const consumers = createLocalConsumers({
    env,
    identity: functions.identity,
    queues,
    businessTokenQueue,
    repositories,
    actions: functions.actions,
  });
  if (options.consumers !== false) for (const each of consumers) each.start();
  const http = await startHttpServer({
    port: options.port ?? 3000,
    handlers: routedHandlers(functions),
    localRoutes: localRoutes({ ...queues.queues, 'business-tokens': businessTokenQueue }, events),
    onError: (error) =>
      new Telemetry('local').logger.error('request failed outside any handler', {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  });
  sandboxWebhook.url = `${http.url}/webhook`;
  const queuesToDrain = [
    ...queues
      .stats()
      .filter(({ name }) => name !== 'passthrough')
      .map(({ name }) => queues.queues[name as QueueName]),
    businessTokenQueue,
  ];
  return {
    url: http.url,
    env,
    queues,
    businessTokenQueue,
    consumers,
    secretStore: functions.secretStore,
    events,
    sandboxUrl: sandbox?.baseUrl,
    repositories,
    dynamo,
    drain: (timeoutMs = 10_000) => drainQueues(consumers, queuesToDrain, timeoutMs),
    async close() {
      await http.close();
      await Promise.all(consumers.map((each) => each.stop()));
      await sandbox?.close();
      await dynamo.close();
      queues.close();
      businessTokenQueue.close();
      businessTokenQueue.dlq?.close();
      events.close();
    },
  };
};

const startSandbox = (env: Env, webhook: { url: string; appSecret: string }, now: () => number) =>
  startSandboxGraph({
    appId: env.META_APP_ID ?? '',
    businessId: env.META_BUSINESS_ID ?? '',
    systemUserToken: env.META_SYSTEM_USER_TOKEN ?? '',
    pageToken: env.META_PAGE_ACCESS_TOKEN ?? '',
    webhook,
    now,
  });

/** Resolves once no batch is in flight and the queues hold nothing visible or in flight. */
const drainQueues = async (consumers: LocalConsumer[], queues: LocalQueue[], timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await Promise.all(consumers.map((consumer) => consumer.idle()));
    const busy = queues.some((queue) => {
      const { visible, inFlight } = queue.size();
      return visible + inFlight > 0;
    });
    if (!busy) return;
    if (Date.now() > deadline) throw new Error('local queues did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
