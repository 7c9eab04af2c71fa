import { Duration, RemovalPolicy, Size, type Stack } from 'aws-cdk-lib';
import { Compression, DeliveryStream, S3Bucket, StreamEncryption } from 'aws-cdk-lib/aws-kinesisfirehose';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { META_SECRET_KEYS } from '../../shared/platform/config/constants.js';
import type { DomainManifest } from '../../shared/platform/domain/domain.js';
import { PASSTHROUGH } from '../../shared/platform/queue/envelope.js';
import { acknowledge, arnToken } from '../config/nag.js';
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
export const createStatefulResources = (stack: Stack, domains: readonly DomainManifest[]) => {
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
  const { archive, archiveStream } = createArchive(stack);
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
  };
};

/**
 * The delivery archive: every delivery the webhook accepted, as received, kept for replay. Firehose batches the
 * records (60 s or 5 MiB), compresses them (GZIP) and writes them by hour under `deliveries/`; bodies too large
 * for one record go under `large/`. Retained with the tables: it is the only copy of what Meta sent.
 */
const createArchive = (stack: Stack) => {
  const archive = new Bucket(stack, 'DeliveryArchive', {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: [
      { transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }] },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    archive,
    'AwsSolutions-S1',
    'Written only by Firehose and the webhook role (large bodies), read only by the replay; CloudTrail records the API calls. Server access logs would add a second bucket for no new information.',
  );
  const archiveStream = new DeliveryStream(stack, 'DeliveryArchiveStream', {
    destination: new S3Bucket(archive, {
      dataOutputPrefix: 'deliveries/!{timestamp:yyyy/MM/dd/HH}/',
      errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
      compression: Compression.GZIP,
      bufferingInterval: Duration.seconds(60),
      bufferingSize: Size.mebibytes(5),
    }),
    encryption: StreamEncryption.awsOwnedKey(),
  });
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
  return { archive, archiveStream };
};

export type StatefulResources = ReturnType<typeof createStatefulResources>;
