import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { businessTokenFollowUp } from '../../shared/actions/business-tokens.js';
import { loadWabasConsumerConfig } from '../../shared/aws/function-config.js';
import { S3ClaimReader } from '../../shared/aws/s3-claim-reader.js';
import { SqsDeadLetterSink } from '../../shared/aws/sqs-dead-letters.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { wabasConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterWriter } from '../../shared/store/register-writer.js';
import { wabaWrites } from '../../shared/store/repositories.js';

const config = loadWabasConsumerConfig(process.env);
const telemetry = new Telemetry('wabas');
const repository = wabaWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));
const sqs = new SQSClient({});
const tokenQueueUrl = config.businessTokensQueueUrl;
const followUp =
  tokenQueueUrl === undefined
    ? undefined
    : businessTokenFollowUp(async (body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: tokenQueueUrl, MessageBody: body }));
      }, config.ourBusinessId);

export const handler = createConsumerHandler(
  wabasConsumer(repository, telemetry, followUp, config.ourAppId),
  {
    claims: new S3ClaimReader(config.claimCheckBucket),
    deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
    telemetry,
  },
);
