import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { businessTokenFollowUp } from '../../shared/actions/business-tokens.js';
import { loadWabasConsumerConfig } from '../../shared/aws/function-config.js';
import { loadSqsSend } from '../../shared/aws/lazy-sqs.js';
import { SqsDeadLetterSink } from '../../shared/aws/sqs-dead-letters.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { wabasConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterWriter } from '../../shared/store/register-writer.js';
import { wabaWrites } from '../../shared/store/repositories.js';

const config = loadWabasConsumerConfig(process.env);
const telemetry = new Telemetry('wabas');
const repository = wabaWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));
const tokenQueueUrl = config.businessTokensQueueUrl;
// Token jobs follow only PARTNER_ADDED: the SQS client is a lazy chunk, out of the cold start.
let send: ReturnType<typeof import('../../shared/aws/sqs-send.js').sqsSend> | undefined;
const followUp =
  tokenQueueUrl === undefined
    ? undefined
    : businessTokenFollowUp(async (body) => {
        send ??= (await loadSqsSend()).sqsSend({});
        await send(tokenQueueUrl, body);
      }, config.ourBusinessId);

export const handler = createConsumerHandler(
  wabasConsumer(repository, telemetry, followUp, config.ourAppId),
  {
    deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
    telemetry,
  },
);
