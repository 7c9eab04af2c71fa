import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadWebhookConfig } from '../../shared/app/function-config.js';
import { loadRelayRouting } from '../../shared/app/relay/config.js';
import { composeRelayCopies } from '../../shared/app/relay/copies.js';
import { composeWebhook } from '../../shared/app/roots/webhook.js';
import { FirehoseArchive } from '../../shared/platform/aws/firehose-archive.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';

const config = loadWebhookConfig(process.env);
const relay = loadRelayRouting(process.env);
const sqs = new SQSClient({});
const claims = new S3ClaimWriter(config.claimCheckBucket);
const copies = composeRelayCopies({
  destinations: relay.destinations,
  sink: new SqsMessageSink(sqs, relay.queueUrls),
  claims,
});

export const handler = composeWebhook({
  secrets: jsonSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    config.metaSecretArn,
    config.secretCacheSeconds,
    parseMetaSecrets,
  ),
  sink: new SqsMessageSink(sqs, config.queueUrls),
  claims,
  ...(copies === undefined ? {} : { copies }),
  archive: new FirehoseArchive(
    config.archiveStreamName,
    new S3ClaimWriter(config.archiveBucket),
    new FirehoseClient({}),
    config.archivePassthrough,
  ),
  telemetry: new Telemetry('webhook'),
});
