import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadReconcileConfig } from '../../shared/app/function-config.js';
import { createReconcileHandler } from '../../shared/app/reconcile/handler.js';
import { SolutionRepository, WabaRepository } from '../../shared/domains/repositories.js';
import { S3ArchiveReader } from '../../shared/platform/aws/s3-archive-reader.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { EnvelopePublisher } from '../../shared/platform/queue/publisher.js';
import {
  jsonSecretSource,
  parseMetaSecrets,
  systemUserToken,
} from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

const config = loadReconcileConfig(process.env);
const db = new DynamoDBClient({});
const secrets = jsonSecretSource(
  new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
  config.metaSecretArn,
  config.secretCacheSeconds,
  parseMetaSecrets,
);
const token = systemUserToken(secrets);

export const handler = createReconcileHandler({
  wabas: new WabaRepository(new RegisterTable(db, config.wabasTable)),
  solutions: new SolutionRepository(new RegisterTable(db, config.solutionsTable)),
  control: new ControlTable(db, config.controlTable),
  identity: config.identity,
  telemetry: new Telemetry('reconcile'),
  safetyMarginMs: config.safetyMarginMs,
  graphFor: (deadline) => new GraphClient({ baseUrl: config.identity.graphApiBaseUrl, token, deadline }),
  replay: {
    reader: new S3ArchiveReader(config.archiveBucket),
    publisher: new EnvelopePublisher(
      new SqsMessageSink(new SQSClient({}), config.queueUrls),
      new S3ClaimWriter(config.claimCheckBucket),
    ),
  },
});
