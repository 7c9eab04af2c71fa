import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { loadSqsSend } from '../build/lazy-sqs.js';
import type { DeadLetterSink } from '../queue/ports.js';

/**
 * Sends an invalid message to its DLQ with the reason as message attributes. Invalid events are rare, so the
 * SQS client is a lazy chunk, out of the consumers' cold start.
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  private sending: ReturnType<typeof import('../build/sqs-send.js').sqsSend> | undefined;

  public constructor(
    private readonly queueUrl: string,
    private readonly config: SQSClientConfig = {},
  ) {}

  public async send(body: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    this.sending ??= (await loadSqsSend()).sqsSend(this.config);
    await this.sending(this.queueUrl, body, attributes);
  }
}
