import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../kernel/errors.js';
import { loadSqsSend } from '../build/lazy-sqs.js';
import type { JobSender } from '../domain/domain.js';

/** Job messages to their queues with `SendMessage`; jobs are rare, so the SQS client is a lazy chunk. */
export class SqsJobSender implements JobSender {
  private sending: ReturnType<typeof import('../build/sqs-send.js').sqsSend> | undefined;

  public constructor(
    private readonly queueUrls: Readonly<Record<string, string>>,
    private readonly config: SQSClientConfig = {},
  ) {}

  public has(queue: string): boolean {
    return Object.hasOwn(this.queueUrls, queue);
  }

  public async send(queue: string, body: string): Promise<void> {
    const url = this.has(queue) ? this.queueUrls[queue] : undefined;
    if (url === undefined) throw new ConfigError([`no URL for the ${queue} queue`]);
    this.sending ??= (await loadSqsSend()).sqsSend(this.config);
    await this.sending(url, body);
  }
}
