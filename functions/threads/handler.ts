import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConsumerConfig } from '../../shared/aws/function-config.js';
import { SqsDeadLetterSink } from '../../shared/aws/sqs-dead-letters.js';
import { ENV } from '../../shared/constants.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { threadsConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterWriter } from '../../shared/store/register-writer.js';
import { threadWrites } from '../../shared/store/repositories.js';

const config = loadConsumerConfig(process.env, ENV.threadsTable);
const telemetry = new Telemetry('threads');
const repository = threadWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));

export const handler = createConsumerHandler(threadsConsumer(repository), {
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
  telemetry,
});
