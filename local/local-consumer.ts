import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueue } from './in-process-queue.js';
import { localContext } from './lambda-context.js';

/** A Lambda handler for SQS events; anything but a batch response means every record succeeded. */
export type BatchHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface ConsumerOptions {
  batchSize: number;
  batchWindowMs: number;
  concurrency: number;
  functionName: string;
  timeoutMs: number;
}

/**
 * Lambda's SQS event source, in process: receives batches, invokes the handler, deletes what succeeded
 * and leaves `batchItemFailures` (or the whole batch when the handler throws) to reappear after the
 * visibility timeout.
 */
export class LocalConsumer {
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  /** Nothing is received before `start()`: a stack started without consumers leaves its messages queued. */
  private started = false;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly unsubscribe: () => void;
  public invocations = 0;

  public constructor(
    private readonly queue: LocalQueue,
    private readonly handler: BatchHandler,
    private readonly options: ConsumerOptions,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.unsubscribe = queue.onMessage(() => this.schedule(options.batchWindowMs));
  }

  public start(): void {
    this.started = true;
    this.schedule(0);
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.idle();
  }

  /** Resolves once nothing is in flight. */
  public idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Wakes the poller after `delayMs`; an earlier wake-up replaces a later one, never the reverse. */
  private schedule(delayMs: number): void {
    if (!this.started || this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.timer !== undefined) {
      if (due >= this.timerDue) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
  }

  private pump(): void {
    while (!this.stopped && this.inFlight < this.options.concurrency) {
      const records = this.queue.receive(this.options.batchSize);
      if (records.length === 0) break;
      this.inFlight += 1;
      void this.invoke(records).finally(() => {
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        this.pump();
      });
    }
    const next = this.queue.nextVisibleAt();
    if (next !== undefined) this.schedule(Math.max(0, next - Date.now()));
  }

  private async invoke(records: SQSRecord[]): Promise<void> {
    this.invocations += 1;
    try {
      const response = await this.handler(
        { Records: records },
        localContext(this.options.functionName, this.options.timeoutMs),
      );
      const failures = (response as Partial<SQSBatchResponse> | undefined)?.batchItemFailures ?? [];
      const failed = new Set(failures.map((failure) => failure.itemIdentifier));
      for (const record of records)
        if (!failed.has(record.messageId)) this.queue.delete(record.receiptHandle);
    } catch (error) {
      // The whole batch returns after the visibility timeout, as with a Lambda error.
      this.onError(error);
    }
  }
}
