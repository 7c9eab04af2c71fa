import { parseInstagramLinks } from '../domains/threads/instagram-links.js';
import { type Env, EnvReader, readMetaIdentity } from '../platform/config.js';
import { ENV } from '../platform/constants.js';
import type { QueueName } from '../platform/queue/envelope.js';

/** Secrets are re-read after this long in a warm container, so rotation needs no redeploy. */
const DEFAULT_SECRET_CACHE_SECONDS = 300;

/** Each function's configuration, read and validated once at cold start; every problem is reported at once. */

const metaSecret = (reader: EnvReader) => ({
  metaSecretArn: reader.required(ENV.metaSecretArn),
  secretCacheSeconds: reader.integer(ENV.secretCacheSeconds, DEFAULT_SECRET_CACHE_SECONDS, 1),
});

const tables = (reader: EnvReader) => ({
  solutionsTable: reader.required(ENV.solutionsTable),
  wabasTable: reader.required(ENV.wabasTable),
});

const queueUrlsOf = (reader: EnvReader): Record<QueueName, string> => ({
  solutions: reader.required(ENV.solutionsQueueUrl),
  wabas: reader.required(ENV.wabasQueueUrl),
  threads: reader.required(ENV.threadsQueueUrl),
  passthrough: reader.required(ENV.passthroughQueueUrl),
});

export const loadWebhookConfig = (env: Env) => {
  const reader = new EnvReader(env);
  const queueUrls = queueUrlsOf(reader);
  return reader.done({
    queueUrls,
    claimCheckBucket: reader.required(ENV.claimCheckBucket),
    archiveStreamName: reader.required(ENV.archiveStreamName),
    archiveBucket: reader.required(ENV.archiveBucket),
    ...metaSecret(reader),
  });
};

export const loadConsumerConfig = (env: Env, tableVariable: string) => {
  const reader = new EnvReader(env);
  return reader.done({
    tableName: reader.required(tableVariable),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
  });
};

export const loadWabasConsumerConfig = (env: Env) => {
  const reader = new EnvReader(env);
  const businessTokens = reader.boolean(ENV.businessTokensEnabled, false);
  return reader.done({
    tableName: reader.required(ENV.wabasTable),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
    businessTokensQueueUrl: businessTokens ? reader.required(ENV.businessTokensQueueUrl) : undefined,
    ourBusinessId: reader.optional(ENV.metaBusinessId),
    ourAppId: reader.optional(ENV.metaAppId),
  });
};

export const loadTablesConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({ ...tables(reader), threadsTable: reader.required(ENV.threadsTable) });
};

export const loadReconcileConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({
    ...tables(reader),
    controlTable: reader.required(ENV.controlTable),
    ...metaSecret(reader),
    identity: readMetaIdentity(reader),
    safetyMarginMs: reader.integer(ENV.reconcileSafetyMarginMs, 15_000, 0),
    // Replay: read the archive, send through the webhook's queues (and claim checks).
    queueUrls: queueUrlsOf(reader),
    claimCheckBucket: reader.required(ENV.claimCheckBucket),
    archiveBucket: reader.required(ENV.archiveBucket),
  });
};

export const loadActionsConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({
    ...tables(reader),
    threadsTable: reader.required(ENV.threadsTable),
    controlTable: reader.required(ENV.controlTable),
    ...metaSecret(reader),
    identity: readMetaIdentity(reader),
    pageTokensSecretArn: reader.required(ENV.pageTokensSecretArn),
    instagramPages: reader.parsed(ENV.instagramPages, parseInstagramLinks, new Map<string, string>()),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
    businessTokenSecretPrefix: reader.required(ENV.businessTokenSecretPrefix),
    businessTokenKmsKeyId: reader.optional(ENV.businessTokenKmsKeyId),
    stackName: reader.withDefault(ENV.stackName, 'Switchboard'),
  });
};

export const loadEventsConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({
    ...tables(reader),
    threadsTable: reader.required(ENV.threadsTable),
    eventBusName: reader.required(ENV.eventBusName),
  });
};
