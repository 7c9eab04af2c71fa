import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ClaimReader, SqsRetryScheduler, textSecretSource } from '../../shared/app/relay/aws.js';
import { loadRelayDelivererConfig } from '../../shared/app/relay/config.js';
import { relayService } from '../../shared/app/relay/destinations.js';
import { composeRelayDeliverer } from '../../shared/app/relay/roots.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';

/** One relay destination's deliverer: the stack deploys this entry once per destination, each on its own queue. */
const config = loadRelayDelivererConfig(process.env);

export const handler = composeRelayDeliverer({
  destination: config.destination,
  secret:
    config.secretArn === undefined
      ? undefined
      : textSecretSource(
          new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
          config.secretArn,
          config.secretCacheSeconds,
        ),
  claims: new S3ClaimReader(config.claimCheckBucket),
  retries: new SqsRetryScheduler(new SQSClient({}), config.queueUrl),
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
  telemetry: new Telemetry(relayService(config.destination.name)),
});
