import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadWabasConsumerConfig } from '../../shared/app/function-config.js';
import { wabasConsumer } from '../../shared/domains/consumer-specs.js';
import { wabaWrites } from '../../shared/domains/repositories.js';
import { businessTokenFollowUp } from '../../shared/domains/wabas/business-tokens.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { loadSqsSend } from '../../shared/platform/build/lazy-sqs.js';
import { createConsumerHandler } from '../../shared/platform/consumers/consumer.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterWriter } from '../../shared/platform/store/register-writer.js';

const config = loadWabasConsumerConfig(process.env);
const telemetry = new Telemetry('wabas');
const repository = wabaWrites(new RegisterWriter(new DynamoDBClient({}), config.tableName));
const tokenQueueUrl = config.businessTokensQueueUrl;
// Token jobs follow only PARTNER_ADDED: the SQS client is a lazy chunk, out of the cold start.
let send: ReturnType<typeof import('../../shared/platform/aws/sqs-send.js').sqsSend> | undefined;
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
