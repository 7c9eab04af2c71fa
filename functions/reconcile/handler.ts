import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadReconcileConfig } from '../../shared/app/function-config.js';
import { loadRelayRouting } from '../../shared/app/relay/config.js';
import { composeReconcile, RECONCILED_DOMAINS } from '../../shared/app/roots/reconcile.js';
import { BUSINESS_TOKEN_JOBS } from '../../shared/domains/wabas/manifest.js';
import { S3ArchiveReader } from '../../shared/platform/aws/s3-archive-reader.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SecretsManagerReader } from '../../shared/platform/aws/secrets-manager-reader.js';
import { SqsJobSender } from '../../shared/platform/aws/sqs-jobs.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

const config = loadReconcileConfig(process.env, RECONCILED_DOMAINS);
const relay = loadRelayRouting(process.env);
const db = new DynamoDBClient({});
const secretsManager = new SecretsManagerClient({});
const onboarding = config.onboarding;
const sqs = new SQSClient({});
const claims = new S3ClaimWriter(config.claimCheckBucket);

export const handler = composeReconcile({
  table: (domain) => new RegisterTable(db, config.tables[domain.name] ?? ''),
  control: new ControlTable(db, config.controlTable),
  identity: config.identity,
  metaSecrets: jsonSecretSource(
    new SecretsProvider({ awsSdkV3Client: secretsManager }),
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
  ...(onboarding === undefined
    ? {}
    : {
        onboarding: {
          // Reconciliation only reads business tokens (to verify onboardings with Meta).
          secrets: new SecretsManagerReader(secretsManager),
          secretPrefix: onboarding.secretPrefix,
          jobs: new SqsJobSender({ [BUSINESS_TOKEN_JOBS.name]: onboarding.jobQueueUrl }),
          settings: onboarding.settings,
        },
      }),
  // POST /v1/relay/{name}/replay: the relay destinations' queues (none without destinations).
  relay: { destinations: relay.destinations, sink: new SqsMessageSink(sqs, relay.queueUrls), claims },
});
