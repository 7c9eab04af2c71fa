import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { businessTokenFollowUp } from '../../shared/actions/business-tokens.js';
import { loadWabasConsumerConfig } from '../../shared/aws/function-config.js';
import { S3ClaimStore } from '../../shared/aws/s3-claim-store.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { wabasConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterTable } from '../../shared/store/register-table.js';
import { WabaRepository } from '../../shared/store/repositories.js';

const config = loadWabasConsumerConfig(process.env);
const telemetry = new Telemetry('wabas');
const repository = new WabaRepository(new RegisterTable(new DynamoDBClient({}), config.tableName));
const sqs = new SQSClient({});
const tokenQueueUrl = config.businessTokensQueueUrl;
const followUp =
  tokenQueueUrl === undefined
    ? undefined
    : businessTokenFollowUp(async (body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: tokenQueueUrl, MessageBody: body }));
      }, config.ourBusinessId);

export const handler = createConsumerHandler(wabasConsumer(repository, telemetry, followUp), {
  claims: new S3ClaimStore(config.claimCheckBucket),
  telemetry,
});
