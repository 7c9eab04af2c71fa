import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConsumerConfig } from '../../shared/app/function-config.js';
import { solutionsConsumer } from '../../shared/domains/consumer-specs.js';
import { solutionWrites } from '../../shared/domains/repositories.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { ENV } from '../../shared/platform/constants.js';
import { createConsumerHandler } from '../../shared/platform/consumers/consumer.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterWriter } from '../../shared/platform/store/register-writer.js';

const config = loadConsumerConfig(process.env, ENV.solutionsTable);
const telemetry = new Telemetry('solutions');
const repository = solutionWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));

export const handler = createConsumerHandler(solutionsConsumer(repository, telemetry), {
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
  telemetry,
});
