import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadReconcileConfig } from '../../shared/aws/function-config.js';
import { S3ArchiveReader } from '../../shared/aws/s3-archive-reader.js';
import { S3ClaimWriter } from '../../shared/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/aws/sqs-sink.js';
import { GraphClient } from '../../shared/graph/client.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { EnvelopePublisher } from '../../shared/queue/publisher.js';
import { createReconcileHandler } from '../../shared/reconcile/handler.js';
import { jsonSecretSource, parseMetaSecrets, systemUserToken } from '../../shared/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/store/control.js';
import { RegisterTable } from '../../shared/store/register-table.js';
import { SolutionRepository, WabaRepository } from '../../shared/store/repositories.js';

const config = loadReconcileConfig(process.env);
const db = new DynamoDBClient({});
const secrets = jsonSecretSource(
  new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
  config.metaSecretArn,
  config.secretCacheSeconds,
  parseMetaSecrets,
);
const token = systemUserToken(secrets);
/** Set once the token is there; an empty one is read again (not from the cache) before saying it is not. */
const configured = async () =>
  (await secrets.get()).systemUserToken !== '' || (await secrets.get(true)).systemUserToken !== '';

export const handler = createReconcileHandler({
  wabas: new WabaRepository(new RegisterTable(db, config.wabasTable)),
  solutions: new SolutionRepository(new RegisterTable(db, config.solutionsTable)),
  control: new ControlTable(db, config.controlTable),
  identity: config.identity,
  telemetry: new Telemetry('reconcile'),
  safetyMarginMs: config.safetyMarginMs,
  configured,
  graphFor: (deadline) => new GraphClient({ baseUrl: config.identity.graphApiBaseUrl, token, deadline }),
  replay: {
    reader: new S3ArchiveReader(config.archiveBucket),
    publisher: new EnvelopePublisher(
      new SqsMessageSink(new SQSClient({}), config.queueUrls),
      new S3ClaimWriter(config.claimCheckBucket),
    ),
  },
});
