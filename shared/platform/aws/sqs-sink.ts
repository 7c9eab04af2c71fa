import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueName } from '../queue/envelope.js';
import type { FailedEntry, MessageSink, QueueEntry } from '../queue/ports.js';

/** Sends batches with SQS `SendMessageBatch`; entries SQS reports in `Failed[]` come back for retry. */
export class SqsMessageSink implements MessageSink {
  public constructor(
    private readonly client: SQSClient,
    private readonly queueUrls: Readonly<Record<QueueName, string>>,
  ) {}

  public async sendBatch(
    queue: QueueName,
    entries: readonly QueueEntry[],
  ): Promise<{ failed: FailedEntry[] }> {
    const out = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrls[queue],
        Entries: entries.map((entry) => ({ Id: entry.id, MessageBody: entry.body })),
      }),
    );
    return {
      failed: (out.Failed ?? []).map((entry) => ({
        id: entry.Id ?? '',
        reason: `${entry.Code ?? 'Failed'}${entry.SenderFault ? ' (sender fault)' : ''}: ${entry.Message ?? ''}`,
      })),
    };
  }
}
