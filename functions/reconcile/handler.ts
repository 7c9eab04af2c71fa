import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadReconcileConfig } from '../../shared/app/function-config.js';
import { loadRelayRouting } from '../../shared/app/relay/config.js';
import { composeReconcile, RECONCILED_DOMAINS } from '../../shared/app/roots/reconcile.js';
import { S3ArchiveReader } from '../../shared/platform/aws/s3-archive-reader.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

const config = loadReconcileConfig(process.env, RECONCILED_DOMAINS);
const relay = loadRelayRouting(process.env);
const db = new DynamoDBClient({});
const sqs = new SQSClient({});
const claims = new S3ClaimWriter(config.claimCheckBucket);

export const handler = composeReconcile({
  table: (domain) => new RegisterTable(db, config.tables[domain.name] ?? ''),
  control: new ControlTable(db, config.controlTable),
  identity: config.identity,
  metaSecrets: jsonSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    config.metaSecretArn,
    config.secretCacheSeconds,
    parseMetaSecrets,
  ),
  safetyMarginMs: config.safetyMarginMs,
  telemetry: new Telemetry('reconcile'),
  replay: {
    reader: new S3ArchiveReader(config.archiveBucket),
    sink: new SqsMessageSink(sqs, config.queueUrls),
    claims,
  },
  // POST /v1/relay/{name}/replay: the relay destinations' queues (none without destinations).
  relay: { destinations: relay.destinations, sink: new SqsMessageSink(sqs, relay.queueUrls), claims },
});
