import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import type { QueueName } from '../shared/platform/queue/envelope.js';
import type { DeadLetterSink, FailedEntry, MessageSink, QueueEntry } from '../shared/platform/queue/ports.js';
import { type JournalMessage, QueueJournal } from './queue-journal.js';

/** A message with its attributes (the reason an invalid event was dead-lettered, for one) and receipt. */
interface StoredMessage extends JournalMessage {
  receiptHandle: string | null;
}

export interface LocalQueueOptions {
  visibilityTimeoutMs: number;
  maxReceiveCount?: number;
  dlq?: LocalQueue;
  /** Keeps every message on disk (local mode with a data folder); without it the queue lives in memory. */
  journal?: QueueJournal;
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
  private readonly listeners = new Set<(sent: number) => void>();

  public constructor(
    public readonly name: string,
    private readonly options: LocalQueueOptions,
    private readonly now: () => number = Date.now,
  ) {
    // After a restart every message is back: in flight ones return once their visibility timeout ends.
    for (const message of options.journal?.load() ?? [])
      this.messages.set(message.messageId, { ...message, receiptHandle: null });
  }

  public get dlq(): LocalQueue | undefined {
    return this.options.dlq;
  }

  public send(body: string, attributes: Readonly<Record<string, string>> = {}): string {
    const [messageId] = this.sendMany([{ body, attributes }]);
    return messageId ?? '';
  }

  /** Sends several messages with one journal write (and one fsync): a webhook delivery's batch. */
  public sendMany(
    entries: readonly { body: string; attributes?: Readonly<Record<string, string>> }[],
  ): string[] {
    const sentAt = this.now();
    const messages: StoredMessage[] = entries.map(({ body, attributes }) => ({
      messageId: randomUUID(),
      body,
      attributes: { ...attributes },
      sentAt,
      receiveCount: 0,
      firstReceivedAt: null,
      visibleAt: 0,
      receiptHandle: null,
    }));
    // On disk before anyone is told the message exists.
    this.options.journal?.sent(messages.map(({ receiptHandle: _handle, ...message }) => message));
    for (const message of messages) this.messages.set(message.messageId, message);
    for (const listener of this.listeners) listener(messages.length);
    return messages.map((message) => message.messageId);
  }

  /** Calls `listener` with the number of messages each send added. */
  public onMessage(listener: (sent: number) => void): () => void {
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
        dlq.send(message.body);
        this.remove(message.messageId);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.options.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      this.options.journal?.received(message);
      records.push(this.toRecord(message));
    }
    return records;
  }

  /**
   * SQS `ChangeMessageVisibility`: the received message becomes visible `ms` from now (a relay retry's backoff);
   * a stale handle changes nothing.
   */
  public changeVisibility(receiptHandle: string, ms: number): boolean {
    for (const message of this.messages.values()) {
      if (message.receiptHandle !== receiptHandle) continue;
      message.visibleAt = this.now() + Math.max(0, ms);
      this.options.journal?.received(message);
      return true;
    }
    return false;
  }

  /** Deletes by receipt handle; a stale handle (the message was received again since) deletes nothing. */
  public delete(receiptHandle: string): boolean {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) return this.remove(message.messageId);
    }
    return false;
  }

  private remove(messageId: string): boolean {
    const removed = this.messages.delete(messageId);
    if (removed && this.options.journal !== undefined) {
      this.options.journal.deleted(messageId);
      this.options.journal.compactIfLarge(() =>
        [...this.messages.values()].map(({ receiptHandle: _handle, ...message }) => message),
      );
    }
    return removed;
  }

  /** Closes the journal (local mode stopping); the queue is unusable afterwards. */
  public close(): void {
    this.options.journal?.close();
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
    target.sendMany(moved.map(({ body, attributes }) => ({ body, attributes })));
    for (const message of moved) this.remove(message.messageId);
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

export interface QueueSettings {
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
  /** Folder for the queues' journals (`<name>.jsonl`); undefined keeps the queues in memory. */
  journalDir?: string;
  now?: () => number;
}

/** A queue and its DLQ, journaled under `journalDir` when one is given. */
export const queueWithDlq = (name: string, settings: QueueSettings): LocalQueue => {
  const journal = (file: string) =>
    settings.journalDir === undefined
      ? {}
      : { journal: new QueueJournal(join(settings.journalDir, `${file}.jsonl`)) };
  const dlq = new LocalQueue(
    `${name}-dlq`,
    { visibilityTimeoutMs: settings.visibilityTimeoutMs, ...journal(`${name}-dlq`) },
    settings.now,
  );
  return new LocalQueue(
    name,
    {
      visibilityTimeoutMs: settings.visibilityTimeoutMs,
      maxReceiveCount: settings.maxReceiveCount,
      dlq,
      ...journal(name),
    },
    settings.now,
  );
};

/** The webhook's queues (each domain's and passthrough) and their DLQs, as a MessageSink for the webhook. */
export class LocalQueues implements MessageSink {
  public readonly queues: Record<QueueName, LocalQueue>;
  /** Test hook: lets a test fail sends the way SQS can (throw, or report entries in `Failed[]`). */
  public sendFault:
    | ((queue: QueueName, entries: readonly QueueEntry[]) => FailedEntry[] | undefined)
    | undefined;
  public sendCalls = 0;
  /** Messages accepted so far, across the queues. */
  public accepted = 0;

  public constructor(names: readonly QueueName[], settings: QueueSettings) {
    this.queues = Object.fromEntries(names.map((name) => [name, queueWithDlq(name, settings)]));
  }

  /** A queue by name; a name local mode does not run is a programming error. */
  public get(name: QueueName): LocalQueue {
    const queue = Object.hasOwn(this.queues, name) ? this.queues[name] : undefined;
    if (queue === undefined) throw new Error(`no local queue ${name}`);
    return queue;
  }

  public close(): void {
    for (const queue of Object.values(this.queues)) {
      queue.close();
      queue.dlq?.close();
    }
  }

  public async sendBatch(
    queue: QueueName,
    entries: readonly QueueEntry[],
  ): Promise<{ failed: FailedEntry[] }> {
    this.sendCalls += 1;
    const failed = this.sendFault?.(queue, entries) ?? [];
    const failedIds = new Set(failed.map((entry) => entry.id));
    const accepted = entries.filter((entry) => !failedIds.has(entry.id));
    this.get(queue).sendMany(accepted.map((entry) => ({ body: entry.body })));
    this.accepted += accepted.length;
    return { failed };
  }

  public stats(): QueueStats[] {
    return queueStats(this.queues);
  }
}
