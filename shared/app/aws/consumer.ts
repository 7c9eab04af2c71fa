import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SqsDeadLetterSink } from '../../platform/aws/sqs-dead-letters.js';
import { SqsJobSender } from '../../platform/aws/sqs-jobs.js';
import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts, DomainManifest } from '../../platform/domain/domain.js';
import { Telemetry } from '../../platform/observability/telemetry.js';
import { RegisterWriter } from '../../platform/store/register-writer.js';
import { loadConsumerConfig } from '../function-config.js';
import { idleSecondsOf } from '../privacy/settings.js';
import { composeConsumer } from '../roots/consumer.js';

/**
 * A domain consumer's Lambda handler: its configuration read once at cold start, its AWS adapters (only
 * `UpdateItem` on its table; the DLQ and job queues through a lazy SQS chunk), and the shared composition root.
 */
export const awsConsumer = <E>(
  domain: DomainManifest,
  consumer: (ports: ConsumerPorts) => ConsumerSpec<E>,
  env = process.env,
) => {
  const config = loadConsumerConfig(env, domain);
  return composeConsumer(domain, consumer, {
    table: new RegisterWriter(new DynamoDBClient({}), config.tableName, {
      idleSeconds: idleSecondsOf(config.retention),
    }),
    deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
    jobs: new SqsJobSender(config.jobQueueUrls),
    env,
    telemetry: new Telemetry(domain.name),
  });
};
