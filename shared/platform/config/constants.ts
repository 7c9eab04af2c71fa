/**
 * Names shared by the functions, local mode, the CLIs and the CDK stack. This module imports nothing, so the
 * CDK app (and anything else) can read a constant without pulling in an SDK or Powertools.
 */

/** CloudWatch namespace of every metric the functions emit (and the alarms and dashboard read). */
export const METRIC_NAMESPACE = 'Switchboard';

/**
 * Environment variable names of the platform, shared by the CDK stack, the functions and local mode. A domain's
 * table and queue names follow `domainEnv` (shared/platform/domain.ts); names of a domain's own settings live in
 * its manifest.
 */
export const ENV = {
  passthroughQueueUrl: 'PASSTHROUGH_QUEUE_URL',
  claimCheckBucket: 'CLAIM_CHECK_BUCKET',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  metaSecretArn: 'META_SECRET_ARN',
  stackName: 'SWITCHBOARD_STACK',
  secretCacheSeconds: 'SECRET_CACHE_SECONDS',
  controlTable: 'CONTROL_TABLE',
  metaAppId: 'META_APP_ID',
  metaBusinessId: 'META_BUSINESS_ID',
  metaPartnerBusinessIds: 'META_PARTNER_BUSINESS_IDS',
  graphApiBaseUrl: 'GRAPH_API_BASE_URL',
  reconcileSafetyMarginMs: 'RECONCILE_SAFETY_MARGIN_MS',
  archiveStreamName: 'ARCHIVE_STREAM_NAME',
  archiveBucket: 'ARCHIVE_BUCKET',
  eventBusName: 'EVENT_BUS_NAME',
  /** Where passthrough-only deliveries are archived: a stream name, or `none`; unset: with the rest. */
  archivePassthroughStreamName: 'ARCHIVE_PASSTHROUGH_STREAM_NAME',
  /** Retention (docs/personal-data.md): the archive's days, passthrough's (`none` or days), idle items' days. */
  archiveRetentionDays: 'ARCHIVE_RETENTION_DAYS',
  archivePassthrough: 'ARCHIVE_PASSTHROUGH',
  idleThreadDays: 'IDLE_THREAD_DAYS',
  /** `plain` or `hashed`: user IDs in domain events, and the secret holding the hash key (AWS). */
  eventUserIds: 'EVENT_USER_IDS',
  eventUserIdKeyArn: 'EVENT_USER_ID_KEY_ARN',
} as const;

/** JSON keys of the Meta secret in Secrets Manager: the same names as the local-mode variables. */
export const META_SECRET_KEYS = {
  appSecret: 'META_APP_SECRET',
  appSecretPrevious: 'META_APP_SECRET_PREVIOUS',
  verifyToken: 'META_VERIFY_TOKEN',
  systemUserToken: 'META_SYSTEM_USER_TOKEN',
} as const;

/** Keys the Meta secret may hold beside those: set only when the feature that reads them is on. */
export const OPTIONAL_META_SECRET_KEYS = {
  /** The two-step verification PIN phone number registration sends (`PHONE_REGISTRATION_ENABLED`). */
  registrationPin: 'META_REGISTRATION_PIN',
} as const;

/** The archive bucket's prefixes: Firehose's output, and bodies too large for one Firehose record. */
export const ARCHIVE_PREFIX = 'deliveries/';
export const ARCHIVE_LARGE_PREFIX = 'large/';

/**
 * Deliveries whose every change went to passthrough only (no domain took one), kept under their own, shorter
 * retention (`switchboard:archivePassthrough`): the passthrough stream's output and its large bodies.
 */
export const PASSTHROUGH_ARCHIVE_ROOT = 'passthrough/';
export const PASSTHROUGH_ARCHIVE_PREFIX = `${PASSTHROUGH_ARCHIVE_ROOT}deliveries/`;
export const PASSTHROUGH_ARCHIVE_LARGE_PREFIX = `${PASSTHROUGH_ARCHIVE_ROOT}large/`;

/** Every claim check lives under this prefix: the only place the webhook may write in the bucket. */
export const CLAIM_PREFIX = 'claims/';

/** Graph API v26.0 (July 2026); Meta keeps a version about two years (docs/deploy.md: upgrading the Graph API version). */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com/v26.0';

/**
 * SQS's message limit (and a SendMessageBatch call's) since 2025: 1 MiB. Lambda's SQS event source delivers such
 * messages since January 2026. Only a passthrough change larger than this needs a claim check.
 */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** The EventBridge `source` of every domain event (each domain names its `detail-type`s in its manifest). */
export const EVENT_SOURCE = 'switchboard';
