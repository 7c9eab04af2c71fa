import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConsumerConfig } from '../../shared/aws/function-config.js';
import { SqsDeadLetterSink } from '../../shared/aws/sqs-dead-letters.js';
import { ENV } from '../../shared/constants.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { solutionsConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterWriter } from '../../shared/store/register-writer.js';
import { solutionWrites } from '../../shared/store/repositories.js';

const config = loadConsumerConfig(process.env, ENV.solutionsTable);
const telemetry = new Telemetry('solutions');
const repository = solutionWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));

export const handler = createConsumerHandler(solutionsConsumer(repository, telemetry), {
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
  telemetry,
});
