import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/** SQS message attributes carry at most 256 KiB in all; a reason is a sentence, so it is kept short. */
const MAX_ATTRIBUTE_LENGTH = 1024;

/** `SendMessage` of one message (with string attributes); loaded on demand (`shared/platform/build/lazy-sqs.ts`). */
export const sqsSend = (config: SQSClientConfig) => {
  const sqs = new SQSClient(config);
  return async (queueUrl: string, body: string, attributes: Readonly<Record<string, string>> = {}) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        ...(Object.keys(attributes).length === 0
          ? {}
          : {
              MessageAttributes: Object.fromEntries(
                Object.entries(attributes).map(([name, value]) => [
                  name,
                  { DataType: 'String', StringValue: value.slice(0, MAX_ATTRIBUTE_LENGTH) || '-' },
                ]),
              ),
            }),
      }),
    );
  };
};
