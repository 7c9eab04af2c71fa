import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FirehoseArchive } from '../../shared/aws/firehose-archive.js';
import { loadWebhookConfig } from '../../shared/aws/function-config.js';
import { S3ClaimWriter } from '../../shared/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/aws/sqs-sink.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { EnvelopePublisher } from '../../shared/queue/publisher.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/secrets/meta-secrets.js';
import { createWebhookHandler } from '../../shared/webhook/handle-webhook.js';

const config = loadWebhookConfig(process.env);
const telemetry = new Telemetry('webhook');
const secrets = jsonSecretSource(
  new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
  config.metaSecretArn,
  config.secretCacheSeconds,
  parseMetaSecrets,
);
const publisher = new EnvelopePublisher(
  new SqsMessageSink(new SQSClient({}), config.queueUrls),
  new S3ClaimWriter(config.claimCheckBucket),
);

const archive = new FirehoseArchive(config.archiveStreamName, new S3ClaimWriter(config.archiveBucket));

export const handler = createWebhookHandler({ secrets, publisher, archive, telemetry });
