import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, InvalidEventError } from '../../kernel/errors.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { DeadLetterSink } from '../../platform/queue/ports.js';
import { lambda } from '../../platform/runtime/lambda.js';
import { relayQueueName } from './destinations.js';
import { readRelayMessage } from './message.js';
import { type Fetch, type PostOutcome, postToDestination } from './post.js';
import { type RequestSources, relayRequest } from './request.js';
import { retryDelaySeconds } from './retry.js';

/** Makes a received message visible again after a delay (SQS `ChangeMessageVisibility`; the local queue's own). */
export interface RetryScheduler {
  later(receiptHandle: string, seconds: number): Promise<void>;
}

export interface RelayDelivererDeps extends RequestSources {
  retries: RetryScheduler;
  /** The destination's DLQ: a copy refused for good, or out of attempts, goes there with its reason. */
  deadLetters: DeadLetterSink;
  telemetry: Telemetry;
  fetch?: Fetch;
  now?: () => number;
  random?: () => number;
}

/** Kept free before the function's timeout: a request is only started when its whole timeout fits. */
const START_MARGIN_MS = 2_000;

type RecordOutcome = 'forwarded' | 'skipped' | 'retried' | 'failed';

const METRICS: Record<RecordOutcome, string> = {
  forwarded: 'RelayForwarded',
  skipped: 'RelaySkipped',
  retried: 'RelayRetried',
  failed: 'RelayFailed',
};

/**
 * A destination's deliverer: the consumer of its own queue, one function (AWS) or consumer (local mode) per
 * destination. Records are sent one at a time, so requests in flight never exceed the event source's
 * concurrency: the destination's own limit. A passing failure waits on the queue (its visibility timeout set to
 * the backoff or the destination's `Retry-After`) and holds nothing meanwhile; a refusal, or the last attempt's
 * failure, goes to the DLQ with the reason. Logs name the delivery and the reason, never a body, a URL or a secret.
 */
class RelayDeliverer {
  private readonly now: () => number;
  private readonly queue: string;

  public constructor(private readonly deps: RelayDelivererDeps) {
    this.now = deps.now ?? Date.now;
    this.queue = relayQueueName(deps.destination.name);
  }

  public async batch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    const tally = new Map<RecordOutcome, number>();
    for (const record of event.Records) {
      let outcome: RecordOutcome;
      try {
        outcome = await this.record(record, context);
      } catch (error) {
        // Even the DLQ refused: the record stays on the queue and comes back.
        this.deps.telemetry.logger.error('relay copy not settled', {
          messageId: record.messageId,
          error: errorMessage(error),
        });
        outcome = 'retried';
      }
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      if (outcome === 'retried') failures.push({ itemIdentifier: record.messageId });
    }
    for (const [outcome, count] of tally) this.deps.telemetry.count(METRICS[outcome], count);
    return { batchItemFailures: failures };
  }

  private async record(record: SQSRecord, context: Context): Promise<RecordOutcome> {
    const { destination } = this.deps;
    const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1);
    let deliveryId: string | undefined;
    try {
      const message = readRelayMessage(record.body);
      deliveryId = message.deliveryId;
      if (message.relay !== destination.name)
        throw new InvalidEventError(`a copy for ${message.relay} reached the queue of ${destination.name}`);
      const request = await relayRequest(message, this.deps);
      if (request === undefined) return 'skipped';
      // Not tried: another invocation takes it at once (its receive still counts; see maxReceiveCount).
      if (context.getRemainingTimeInMillis() < destination.timeoutSeconds * 1000 + START_MARGIN_MS)
        return this.later(record, 0, deliveryId);
      const result = await postToDestination(
        { url: destination.url, ...request, timeoutMs: destination.timeoutSeconds * 1000 },
        this.deps.fetch,
        this.now,
      );
      return await this.settle(record, attempt, message.deliveryId, result);
    } catch (error) {
      if (error instanceof InvalidEventError)
        return this.deadLetter(record, error.message, attempt, deliveryId);
      return this.retry(record, attempt, errorMessage(error), undefined, deliveryId);
    }
  }

  private settle(record: SQSRecord, attempt: number, id: string, result: PostOutcome) {
    // How long copies wait is the queue's ApproximateAgeOfOldestMessage: no metric of ours, no log bytes.
    this.deps.telemetry.milliseconds('RelayLatencyMs', result.ms);
    if (result.outcome === 'delivered') return 'forwarded' as const;
    if (result.outcome === 'refused') return this.deadLetter(record, result.reason, attempt, id);
    return this.retry(record, attempt, result.reason, result.retryAfterSeconds, id);
  }

  private async retry(record: SQSRecord, attempt: number, reason: string, after?: number, id?: string) {
    if (attempt >= this.deps.destination.maxAttempts)
      return this.deadLetter(record, `${reason} (after ${attempt} attempts)`, attempt, id);
    const seconds = retryDelaySeconds(attempt, after, this.deps.random);
    this.deps.telemetry.logger.warn('relay copy will be retried', {
      deliveryId: id,
      attempt,
      reason,
      retryInSeconds: seconds,
    });
    return this.later(record, seconds, id);
  }

  /** Visible again in `seconds`; if that fails, it still comes back after the queue's visibility timeout. */
  private async later(record: SQSRecord, seconds: number, deliveryId?: string) {
    try {
      await this.deps.retries.later(record.receiptHandle, seconds);
    } catch (error) {
      this.deps.telemetry.logger.warn('relay backoff not set', { deliveryId, error: errorMessage(error) });
    }
    return 'retried' as const;
  }

  private async deadLetter(record: SQSRecord, reason: string, attempt: number, deliveryId?: string) {
    await this.deps.deadLetters.send(record.body, {
      reason,
      queue: this.queue,
      attempts: String(attempt),
      sourceMessageId: record.messageId,
      ...(deliveryId === undefined ? {} : { deliveryId }),
    });
    this.deps.telemetry.logger.error('relay copy moved to the DLQ', {
      deliveryId,
      queue: this.queue,
      attempts: attempt,
      reason,
    });
    return 'failed' as const;
  }
}

export const createRelayDeliverer = (deps: RelayDelivererDeps) => {
  const deliverer = new RelayDeliverer(deps);
  return (event: SQSEvent, context: Context) => deliverer.batch(event, context);
};

/** The deliverer as a Lambda handler: the common middleware (log context, metrics flushed per invocation). */
export const relayDelivererHandler = (deps: RelayDelivererDeps) =>
  lambda(deps.telemetry, createRelayDeliverer(deps));
