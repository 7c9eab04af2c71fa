import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SQS_MAX_MESSAGE_BYTES } from '../../shared/platform/config/constants.js';
import { acknowledge } from '../config/nag.js';

/** SQS's message size limit (1 MiB); the webhook claim-checks a passthrough change larger than that. */
export const MAX_MESSAGE_BYTES = SQS_MAX_MESSAGE_BYTES;
export const MAX_RECEIVE_COUNT = 5;

export interface DomainQueueProps {
  /** At least 6 × the consumer's timeout, so a slow batch is not delivered twice while it still runs. */
  visibilityTimeout: Duration;
  /** Receives before a message moves to the DLQ (default `MAX_RECEIVE_COUNT`). */
  maxReceiveCount?: number;
}

/**
 * A standard queue with its dead-letter queue: encrypted, TLS-only, 14 days of retention on both (Meta
 * retries WhatsApp deliveries for up to 7 days; an outage must not outlast our retention).
 */
export class DomainQueue extends Construct {
  public readonly queue: Queue;
  public readonly dlq: Queue;

  public constructor(scope: Construct, id: string, props: DomainQueueProps) {
    super(scope, id);
    this.dlq = new Queue(this, 'Dlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.dlq,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself a dead-letter queue; its messages are moved back with `npm run redrive`.',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: props.maxReceiveCount ?? MAX_RECEIVE_COUNT },
    });
  }
}
