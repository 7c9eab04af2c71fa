import { createHash, randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { QUEUE_NAMES, type QueueName } from '../shared/queue/envelope.js';
import type { DeadLetterSink, FailedEntry, MessageSink, QueueEntry } from '../shared/queue/ports.js';

interface StoredMessage {
  messageId: string;
  body: string;
  /** Message attributes: the reason an invalid event was dead-lettered, for one. */
  attributes: Record<string, string>;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  visibleAt: number;
  receiptHandle: string | null;
}

export const queueStats = (queues: Record<string, LocalQueue>) =>
  Object.entries(queues).map(([name, queue]) => ({
    name,
    ...queue.size(),
    dlq: queue.dlq === undefined ? null : { name: queue.dlq.name, messages: queue.dlq.bodies().length },
  }));

export type QueueStats = ReturnType<typeof queueStats>[number];

/**
 * One queue with SQS's delivery semantics: a received message is invisible for the visibility timeout,
 * comes back if not deleted, counts its receives, and moves to the DLQ once a receive would pass
 * `maxReceiveCount`.
 */
export class LocalQueue {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly listeners = new Set<() => void>();

  public constructor(
    public readonly name: string,
    private readonly options: { visibilityTimeoutMs: number; maxReceiveCount?: number; dlq?: LocalQueue },
    private readonly now: () => number = Date.now,
  ) {}

  public get dlq(): LocalQueue | undefined {
    return this.options.dlq;
  }

  public send(body: string, attributes: Readonly<Record<string, string>> = {}): string {
    const messageId = randomUUID();
    this.messages.set(messageId, {
      messageId,
      body,
      attributes: { ...attributes },
      sentAt: this.now(),
      receiveCount: 0,
      firstReceivedAt: null,
      visibleAt: 0,
      receiptHandle: null,
    });
    for (const listener of this.listeners) listener();
    return messageId;
  }

  public onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public receive(max: number): SQSRecord[] {
    const now = this.now();
    const records: SQSRecord[] = [];
    for (const message of this.messages.values()) {
      if (records.length >= max) break;
      if (message.visibleAt > now) continue;
      const { maxReceiveCount, dlq } = this.options;
      if (dlq !== undefined && maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount) {
        this.messages.delete(message.messageId);
        dlq.send(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      records.push(this.toRecord(message));
    }
    return records;
  }

  /** Deletes by receipt handle; a stale handle (the message was received again since) deletes nothing. */
  public delete(receiptHandle: string): boolean {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) return this.messages.delete(message.messageId);
    }
    return false;
  }

  public nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  public size(): { visible: number; inFlight: number } {
    const now = this.now();
    let visible = 0;
    for (const message of this.messages.values()) if (message.visibleAt <= now) visible += 1;
    return { visible, inFlight: this.messages.size - visible };
  }

  public bodies(): string[] {
    return [...this.messages.values()].map((message) => message.body);
  }

  /** Bodies with their attributes (a DLQ's messages say why they are there). */
  public peek(): { body: string; attributes: Record<string, string> }[] {
    return [...this.messages.values()].map(({ body, attributes }) => ({ body, attributes }));
  }

  /** This queue's DLQ as the consumers' dead-letter sink (SQS SendMessage to the DLQ, in AWS). */
  public deadLetters(): DeadLetterSink {
    return {
      send: async (body, attributes) => {
        if (this.options.dlq === undefined) throw new Error(`queue ${this.name} has no DLQ`);
        this.options.dlq.send(body, attributes);
      },
    };
  }

  /** Moves every message to `target` as new messages (SQS `StartMessageMoveTask` semantics). */
  public moveAllTo(target: LocalQueue): number {
    const moved = [...this.messages.values()];
    this.messages.clear();
    for (const message of moved) target.send(message.body, message.attributes);
    return moved.length;
  }

  private toRecord(message: StoredMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle ?? '',
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }
}

/** The four domain queues and their DLQs, as a MessageSink for the webhook. */
export class LocalQueues implements MessageSink {
  public readonly queues: Record<QueueName, LocalQueue>;
  /** Test hook: lets a test fail sends the way SQS can (throw, or report entries in `Failed[]`). */
  public sendFault:
    | ((queue: QueueName, entries: readonly QueueEntry[]) => FailedEntry[] | undefined)
    | undefined;
  public sendCalls = 0;
  /** Messages accepted so far, across the four queues. */
  public accepted = 0;

  public constructor(options: { visibilityTimeoutMs: number; maxReceiveCount: number }) {
    const make = (name: QueueName): LocalQueue => {
      const dlq = new LocalQueue(`${name}-dlq`, { visibilityTimeoutMs: options.visibilityTimeoutMs });
      return new LocalQueue(name, {
        visibilityTimeoutMs: options.visibilityTimeoutMs,
        maxReceiveCount: options.maxReceiveCount,
        dlq,
      });
    };
    this.queues = Object.fromEntries(QUEUE_NAMES.map((name) => [name, make(name)])) as Record<
      QueueName,
      LocalQueue
    >;
  }

  public async sendBatch(
    queue: QueueName,
    entries: readonly QueueEntry[],
  ): Promise<{ failed: FailedEntry[] }> {
    this.sendCalls += 1;
    const failed = this.sendFault?.(queue, entries) ?? [];
    const failedIds = new Set(failed.map((entry) => entry.id));
    for (const entry of entries) {
      if (failedIds.has(entry.id)) continue;
      this.queues[queue].send(entry.body);
      this.accepted += 1;
    }
    return { failed };
  }

  public stats(): QueueStats[] {
    return queueStats(this.queues);
  }
}
