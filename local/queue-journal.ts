import { LineFile, readJsonLines } from './durable-file.js';

/** A queued message as the journal keeps it (the queue's own record, field for field). */
export interface JournalMessage {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  visibleAt: number;
}

/** One line of the journal: a message sent, received (its new count and visibility), or deleted. */
type Entry =
  | ({ op: 's' } & JournalMessage)
  | { op: 'r'; id: string; receiveCount: number; firstReceivedAt: number | null; visibleAt: number }
  | { op: 'd'; id: string };

/** Compaction once the journal holds this many lines more than twice the live messages. */
const COMPACT_SLACK = 1_000;

/**
 * An append-only journal of one local queue (JSON lines), so local mode answers 200 only for a delivery whose
 * messages are on disk, and a restart (even after `kill -9`) resumes with every message, its receive count and
 * visibility, as SQS would. Sends are written with `fsync` before the call returns (a power cut keeps them
 * too); receives and deletes are plain writes: losing one only makes a message come back, which SQS allows.
 * A torn last line (the process died mid-write) is cut off when the journal is opened, so the next entry
 * starts a line of its own (`LineFile`).
 */
export class QueueJournal {
  private readonly file: LineFile;
  private lines = 0;

  public constructor(
    private readonly path: string,
    private readonly durable = true,
  ) {
    this.file = new LineFile(path);
  }

  /** The messages the journal holds, in send order. */
  public load(): JournalMessage[] {
    const messages = new Map<string, JournalMessage>();
    for (const record of readJsonLines(this.path)) {
      const entry = record as unknown as Entry;
      this.lines += 1;
      if (entry.op === 's') {
        const { op: _op, ...message } = entry;
        messages.set(message.messageId, message);
      } else if (entry.op === 'r') {
        const message = messages.get(entry.id);
        if (message === undefined) continue;
        message.receiveCount = entry.receiveCount;
        message.firstReceivedAt = entry.firstReceivedAt;
        message.visibleAt = entry.visibleAt;
      } else {
        messages.delete(entry.id);
      }
    }
    return [...messages.values()];
  }

  public sent(messages: readonly JournalMessage[]): void {
    this.write(
      messages.map((message) => ({ op: 's', ...message })),
      this.durable,
    );
  }

  public received(message: JournalMessage): void {
    const { messageId: id, receiveCount, firstReceivedAt, visibleAt } = message;
    this.write([{ op: 'r', id, receiveCount, firstReceivedAt, visibleAt }], false);
  }

  public deleted(messageId: string): void {
    this.write([{ op: 'd', id: messageId }], false);
  }

  /** Rewrites the journal as just the live messages when it has grown well past them (atomic rename). */
  public compactIfLarge(live: () => readonly JournalMessage[]): void {
    const messages = live();
    if (this.lines < 2 * messages.length + COMPACT_SLACK) return;
    this.file.replace(messages.map((message) => `${JSON.stringify({ op: 's', ...message })}\n`).join(''));
    this.lines = messages.length;
  }

  public close(): void {
    this.file.close();
  }

  private write(entries: readonly Entry[], sync: boolean): void {
    if (entries.length === 0) return;
    this.file.append(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), sync);
    this.lines += entries.length;
  }
}
