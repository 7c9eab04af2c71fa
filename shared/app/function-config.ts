import { readOnboardingSettings } from '../domains/onboarding/config.js';
import { DOMAINS } from '../domains/registry.js';
import { parseInstagramLinks } from '../domains/threads/instagram-links.js';
import { THREAD_ENV } from '../domains/threads/manifest.js';
import { BUSINESS_TOKEN_JOBS, WABA_ENV } from '../domains/wabas/manifest.js';
import { ENV } from '../platform/config/constants.js';
import { type Env, EnvReader, readMetaIdentity } from '../platform/config/env.js';
import { type DomainManifest, domainEnv } from '../platform/domain/domain.js';
import { PASSTHROUGH } from '../platform/queue/envelope.js';
import { readEventUserIds, readRetention } from './privacy/settings.js';

/** Secrets are re-read after this long in a warm container, so rotation needs no redeploy. */
const DEFAULT_SECRET_CACHE_SECONDS = 300;

/**
 * Each function's configuration, read and validated once at cold start; every problem is reported at once. A
 * domain's table and queue arrive in the variables `domainEnv` names, for every domain of the registry.
 */

const metaSecret = (reader: EnvReader) => ({
  metaSecretArn: reader.required(ENV.metaSecretArn),
  secretCacheSeconds: reader.integer(ENV.secretCacheSeconds, DEFAULT_SECRET_CACHE_SECONDS, 1),
});

/** Each domain's table name, by domain name. */
const tablesOf = (reader: EnvReader, domains: readonly DomainManifest[]): Record<string, string> =>
  Object.fromEntries(domains.map((domain) => [domain.name, reader.required(domainEnv.table(domain))]));

/** The webhook's queues: each domain's and passthrough. */
const queueUrlsOf = (reader: EnvReader, domains: readonly DomainManifest[]): Record<string, string> =>
  Object.fromEntries(
    [...domains, { name: PASSTHROUGH }].map((queue) => [
      queue.name,
      reader.required(domainEnv.queueUrl(queue)),
    ]),
  );

export const loadWebhookConfig = (env: Env, domains: readonly DomainManifest[] = DOMAINS) => {
  const reader = new EnvReader(env);
  return reader.done({
    queueUrls: queueUrlsOf(reader, domains),
    claimCheckBucket: reader.required(ENV.claimCheckBucket),
    archiveStreamName: reader.required(ENV.archiveStreamName),
    archiveBucket: reader.required(ENV.archiveBucket),
    /** Passthrough-only deliveries: their own stream, `none`, or unset (with the rest). */
    archivePassthrough: passthroughArchivingOf(reader.optional(ENV.archivePassthroughStreamName)),
    ...metaSecret(reader),
  });
};

const passthroughArchivingOf = (value: string | undefined) =>
  value === undefined ? undefined : value === 'none' ? ('none' as const) : { streamName: value };

/** A domain consumer: its table, its DLQ, and the job queues it may send to (each optional until used). */
export const loadConsumerConfig = (env: Env, domain: DomainManifest) => {
  const reader = new EnvReader(env);
  return reader.done({
    tableName: reader.required(domainEnv.table(domain)),
    retention: readRetention(reader),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
    jobQueueUrls: Object.fromEntries(
      (domain.jobs ?? []).flatMap((job) => {
        const url = reader.optional(domainEnv.queueUrl(job));
        return url === undefined ? [] : [[job.name, url]];
      }),
    ) as Record<string, string>,
  });
};

export const loadTablesConfig = (env: Env, domains: readonly DomainManifest[] = DOMAINS) => {
  const reader = new EnvReader(env);
  return reader.done({ tables: tablesOf(reader, domains) });
};

export const loadReconcileConfig = (env: Env, domains: readonly DomainManifest[]) => {
  const reader = new EnvReader(env);
  return reader.done({
    tables: tablesOf(reader, domains),
    controlTable: reader.required(ENV.controlTable),
    ...metaSecret(reader),
    identity: readMetaIdentity(reader),
    safetyMarginMs: reader.integer(ENV.reconcileSafetyMarginMs, 15_000, 0),
    // Replay: read the archive, send through the webhook's queues (and claim checks).
    queueUrls: queueUrlsOf(reader, DOMAINS),
    claimCheckBucket: reader.required(ENV.claimCheckBucket),
    archiveBucket: reader.required(ENV.archiveBucket),
    onboarding: readSweepOnboarding(reader),
  });
};

/** Onboarding's part of reconciliation: on with business tokens, with their secrets, job queue and settings. */
const readSweepOnboarding = (reader: EnvReader) =>
  reader.boolean(WABA_ENV.businessTokensEnabled, false)
    ? {
        secretPrefix: reader.required(WABA_ENV.businessTokenSecretPrefix),
        jobQueueUrl: reader.required(domainEnv.queueUrl(BUSINESS_TOKEN_JOBS)),
        kmsKeyId: reader.optional(WABA_ENV.businessTokenKmsKeyId),
        settings: readOnboardingSettings(reader),
      }
    : undefined;

export const loadActionsConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({
    tables: tablesOf(reader, DOMAINS),
    controlTable: reader.required(ENV.controlTable),
    ...metaSecret(reader),
    identity: readMetaIdentity(reader),
    pageTokensSecretArn: reader.required(THREAD_ENV.pageTokensSecretArn),
    instagramPages: reader.parsed(THREAD_ENV.instagramPages, parseInstagramLinks, new Map<string, string>()),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
    businessTokenSecretPrefix: reader.required(WABA_ENV.businessTokenSecretPrefix),
    businessTokenKmsKeyId: reader.optional(WABA_ENV.businessTokenKmsKeyId),
    stackName: reader.withDefault(ENV.stackName, 'Switchboard'),
    retention: readRetention(reader),
    onboarding: readOnboardingSettings(reader),
  });
};

/** The privacy function: the tables whose items may name people, the control table, the secret, the bus. */
export const loadPrivacyConfig = (env: Env) => {
  const reader = new EnvReader(env);
  return reader.done({
    tables: tablesOf(
      reader,
      DOMAINS.filter((domain) => domain.table.personalData === true),
    ),
    controlTable: reader.required(ENV.controlTable),
    eventBusName: reader.required(ENV.eventBusName),
    retention: readRetention(reader),
    ...metaSecret(reader),
  });
};

export const loadEventsConfig = (env: Env) => {
  const reader = new EnvReader(env);
  const eventUserIds = readEventUserIds(reader);
  return reader.done({
    tables: tablesOf(reader, DOMAINS),
    eventBusName: reader.required(ENV.eventBusName),
    eventUserIds,
    /** The secret holding the key of hashed user IDs (`hashed` only). */
    eventUserIdKeyArn: eventUserIds === 'hashed' ? reader.required(ENV.eventUserIdKeyArn) : undefined,
    secretCacheSeconds: reader.integer(ENV.secretCacheSeconds, DEFAULT_SECRET_CACHE_SECONDS, 1),
  });
};
