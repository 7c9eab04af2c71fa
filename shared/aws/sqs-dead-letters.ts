import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import type { DeadLetterSink } from '../queue/ports.js';

/** SQS message attributes carry at most 256 KiB in all; a reason is a sentence, so it is kept short. */
const MAX_ATTRIBUTE_LENGTH = 1024;

/**
 * Sends an invalid message to its DLQ with the reason as message attributes. Invalid events are rare, so
 * the SQS client is loaded on first use and stays out of the consumers' cold start.
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  private sending:
    | Promise<(body: string, attributes: Readonly<Record<string, string>>) => Promise<void>>
    | undefined;

  public constructor(
    private readonly queueUrl: string,
    private readonly config: SQSClientConfig = {},
  ) {}

  public async send(body: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    this.sending ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => {
      const sqs = new SQSClient(this.config);
      return async (message, fields) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: this.queueUrl,
            MessageBody: message,
            MessageAttributes: Object.fromEntries(
              Object.entries(fields).map(([name, value]) => [
                name,
                { DataType: 'String', StringValue: value.slice(0, MAX_ATTRIBUTE_LENGTH) || '-' },
              ]),
            ),
          }),
        );
      };
    });
    await (await this.sending)(body, attributes);
  }
}
