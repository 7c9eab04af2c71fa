import { Duration, RemovalPolicy, Size, type Stack } from 'aws-cdk-lib';
import { Compression, DeliveryStream, S3Bucket, StreamEncryption } from 'aws-cdk-lib/aws-kinesisfirehose';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DEFAULT_RETENTION, type Retention } from '../../shared/kernel/retention.js';
import {
  ARCHIVE_LARGE_PREFIX,
  ARCHIVE_PREFIX,
  META_SECRET_KEYS,
  PASSTHROUGH_ARCHIVE_PREFIX,
  PASSTHROUGH_ARCHIVE_ROOT,
} from '../../shared/platform/config/constants.js';
import type { DomainManifest } from '../../shared/platform/domain/domain.js';
import { PASSTHROUGH } from '../../shared/platform/queue/envelope.js';
import { acknowledge, arnToken } from '../config/nag.js';
import type { SwitchboardSettings } from '../config/settings.js';
import { DomainQueue } from './domain-queue.js';
import { StateTables } from './state-tables.js';

/** Consumer timeout; queues hide a received batch for 6 × this long. */
export const CONSUMER_TIMEOUT = Duration.seconds(30);

/**
 * The stack's stateful resources: secrets, queues, the claim-check bucket and the tables. They are created
 * directly in the stack, under the IDs of their first release, so that grouping the rest of the stack into
 * constructs never changes their logical IDs (a new logical ID would replace a queue or a table on deploy
 * and lose what it holds); `test/infra/stateful.test.ts` pins them.
 */
export const createStatefulResources = (
  stack: Stack,
  domains: readonly DomainManifest[],
  settings: Pick<SwitchboardSettings, 'retention' | 'eventUserIds'> = {
    retention: DEFAULT_RETENTION,
    eventUserIds: 'plain',
  },
) => {
  // One JSON secret for Meta's app credentials, one for page access tokens. The generated verify token is
  // usable as is. Both are retained with the tables: they hold the credentials the state was built with.
  const metaSecret = new Secret(stack, 'MetaSecret', {
    removalPolicy: RemovalPolicy.RETAIN,
    description: 'Switchboard: Meta app secret, verify token and system user token (JSON)',
    generateSecretString: {
      secretStringTemplate: JSON.stringify({
        [META_SECRET_KEYS.appSecret]: '',
        [META_SECRET_KEYS.appSecretPrevious]: '',
        [META_SECRET_KEYS.systemUserToken]: '',
      }),
      generateStringKey: META_SECRET_KEYS.verifyToken,
      excludePunctuation: true,
      passwordLength: 40,
    },
  });
  const pageTokensSecret = new Secret(stack, 'PageTokensSecret', {
    removalPolicy: RemovalPolicy.RETAIN,
    description: 'Switchboard: page access tokens, JSON object page ID -> token ("*" for every page)',
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'unused', passwordLength: 8 },
  });
  for (const secret of [metaSecret, pageTokensSecret]) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Meta issues these credentials: they are rotated in the Meta App Dashboard, not by a Lambda. META_APP_SECRET_PREVIOUS keeps deliveries valid while the app secret rotates.',
    );
  }

  // One queue per domain, passthrough for everything else Meta sends, and the domains' job queues, by name.
  const visibilityTimeout = Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 6);
  const queue = (title: string, timeout: Duration) =>
    new DomainQueue(stack, `${title}Queue`, { visibilityTimeout: timeout });
  const queues: Record<string, DomainQueue> = {};
  for (const domain of domains) queues[domain.name] = queue(domain.title, visibilityTimeout);
  queues[PASSTHROUGH] = queue('Passthrough', Duration.seconds(60));
  for (const job of domains.flatMap((domain) => domain.jobs ?? []))
    queues[job.name] = queue(job.title, visibilityTimeout);

  const claimChecks = new Bucket(stack, 'ClaimChecks', {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // Claims outlive the messages that point at them (14 days of queue retention).
    lifecycleRules: [{ expiration: Duration.days(15) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    claimChecks,
    'AwsSolutions-S1',
    'Holds transient claim checks written only by the webhook role and read only by the consumer roles; CloudTrail records the API calls. Server access logs would add a second bucket for no new information.',
  );

  const { tables } = new StateTables(stack, 'State', domains);
  const { archive, archiveStream, passthroughStream } = createArchive(stack, settings.retention);
  const eventUserIdKey = settings.eventUserIds === 'hashed' ? createEventUserIdKey(stack) : undefined;
  const found = <T>(kind: string, all: Record<string, T>, name: string): T => {
    const item = all[name];
    if (item === undefined) throw new Error(`no ${kind} ${name} in the stack`);
    return item;
  };
  return {
    metaSecret,
    pageTokensSecret,
    queues,
    /** A queue by name (a domain's, `passthrough`, or a job queue's). */
    queue: (name: string) => found('queue', queues, name),
    claimChecks,
    tables,
    /** A table by domain name, or `control`. */
    table: (name: string) => found('table', tables, name),
    archive,
    archiveStream,
    /** Where passthrough-only deliveries are archived; undefined when `archivePassthrough=none`. */
    passthroughStream,
    /** The key of hashed user IDs in domain events (`eventUserIds=hashed` only). */
    eventUserIdKey,
  };
};

/**
 * The key of `eventUserIds=hashed`: generated by CloudFormation, never in the template or an environment
 * variable, read only by the events function. Retained: a new key changes every hashed ID subscribers know.
 */
const createEventUserIdKey = (stack: Stack): Secret => {
  const key = new Secret(stack, 'EventUserIdKey', {
    removalPolicy: RemovalPolicy.RETAIN,
    description: 'Switchboard: key of the hashed user IDs in domain events (HMAC-SHA256)',
    generateSecretString: { excludePunctuation: true, passwordLength: 64 },
  });
  acknowledge(
    key,
    'AwsSolutions-SMG4',
    'A rotated key would change every hashed user ID subscribers hold; rotate it deliberately (put-secret-value), not on a schedule.',
  );
  return key;
};

/**
 * The archive's lifecycle: every prefix expires after its retention (docs/personal-data.md). Deliveries some domain
 * took (`deliveries/`, their large bodies under `large/`, Firehose's failed records under `errors/`) after
 * `archiveRetentionDays`; passthrough-only ones (`passthrough/`) after `archivePassthrough` days. Infrequent
 * Access only pays for objects kept past 60 days (its 30-day minimum), so only then.
 */
const lifecycleRules = (retention: Retention): LifecycleRule[] => {
  const days = Duration.days(retention.archiveDays);
  const transitions =
    retention.archiveDays > 60
      ? [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }]
      : undefined;
  const rules: LifecycleRule[] = [
    { id: 'Deliveries', prefix: ARCHIVE_PREFIX, expiration: days, transitions },
    { id: 'LargeDeliveries', prefix: ARCHIVE_LARGE_PREFIX, expiration: days },
    { id: 'FailedRecords', prefix: 'errors/', expiration: days },
  ];
  if (retention.passthroughDays !== null)
    rules.push({
      id: 'PassthroughDeliveries',
      prefix: PASSTHROUGH_ARCHIVE_ROOT,
      expiration: Duration.days(retention.passthroughDays),
    });
  return rules;
};

/**
 * The delivery archive: every delivery the webhook accepted, as received, kept for replay for its retention.
 * Firehose batches the records (60 s or 5 MiB), compresses them (GZIP) and writes them by hour under
 * `deliveries/`; bodies too large for one record go under `large/`. Deliveries no domain took go to a stream of
 * their own under `passthrough/` (or are not archived: `archivePassthrough=none`). The bucket is retained with
 * the tables; its lifecycle deletes what has outlived its retention.
 */
const createArchive = (stack: Stack, retention: Retention) => {
  const archive = new Bucket(stack, 'DeliveryArchive', {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: lifecycleRules(retention),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    archive,
    'AwsSolutions-S1',
    'Written only by Firehose and the webhook role (large bodies), read only by the replay; CloudTrail records the API calls. Server access logs would add a second bucket for no new information.',
  );
  const stream = (id: string, root: string) =>
    new DeliveryStream(stack, id, {
      destination: new S3Bucket(archive, {
        dataOutputPrefix: `${root}!{timestamp:yyyy/MM/dd/HH}/`,
        errorOutputPrefix: `${root === ARCHIVE_PREFIX ? '' : PASSTHROUGH_ARCHIVE_ROOT}errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        compression: Compression.GZIP,
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(5),
      }),
      encryption: StreamEncryption.awsOwnedKey(),
    });
  const archiveStream = stream('DeliveryArchiveStream', ARCHIVE_PREFIX);
  const passthroughStream =
    retention.passthroughDays === null
      ? undefined
      : stream('PassthroughArchiveStream', PASSTHROUGH_ARCHIVE_PREFIX);
  for (const each of [archiveStream, passthroughStream])
    if (each !== undefined) acknowledgeStream(stack, archive, each);
  return { archive, archiveStream, passthroughStream };
};

const acknowledgeStream = (stack: Stack, archive: Bucket, archiveStream: DeliveryStream) => {
  const destinationRole = archiveStream.node.tryFindChild('S3 Destination Role');
  for (const finding of [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    `Resource::${arnToken(archive)}/*`,
  ]) {
    acknowledge(
      destinationRole ?? archiveStream,
      `AwsSolutions-IAM5[${finding}]`,
      "Firehose's S3 destination role as CDK grants it (the set AWS documents for a Firehose S3 destination), on the archive bucket only.",
    );
  }
  acknowledge(
    stack,
    'CloudFormation-Validate::W7001',
    'The Firehose L2 adds a region → CIDR mapping used only by VPC and HTTP-endpoint destinations; this stream writes to S3.',
  );
};

export type StatefulResources = ReturnType<typeof createStatefulResources>;
