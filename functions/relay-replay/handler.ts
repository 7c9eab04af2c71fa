import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadRelayReplayConfig } from '../../shared/app/relay/config.js';
import { composeRelayReplay } from '../../shared/app/relay/roots.js';
import { S3ArchiveReader } from '../../shared/platform/aws/s3-archive-reader.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';

const config = loadRelayReplayConfig(process.env);

export const handler = composeRelayReplay({
  destinations: config.destinations,
  sink: new SqsMessageSink(new SQSClient({}), config.queueUrls),
  claims: new S3ClaimWriter(config.claimCheckBucket),
  reader: new S3ArchiveReader(config.archiveBucket),
  metaSecrets: jsonSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    config.metaSecretArn,
    config.secretCacheSeconds,
    parseMetaSecrets,
  ),
  telemetry: new Telemetry('relay-replay'),
  safetyMarginMs: 3_000,
});
