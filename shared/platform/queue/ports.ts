import type { ChangeEnvelope, QueueName, RoutableChange } from './envelope.js';

/** Which queues a change goes to (the domain registry decides: `shared/platform/domain/routing.ts`). */
export interface EnvelopeRouter {
  queuesFor(change: RoutableChange): QueueName[];
  /** What one of those queues receives of the change (a domain may keep only part of it); all of it if absent. */
  shape?(queue: QueueName, envelope: ChangeEnvelope): ChangeEnvelope;
  /** Every queue it may answer. */
  readonly queues: QueueName[];
}

export interface QueueEntry {
  id: string;
  body: string;
}

export interface FailedEntry {
  id: string;
  reason: string;
}

/** Where the webhook sends messages: SQS in AWS, the in-process queue in local mode. */
export interface MessageSink {
  sendBatch(queue: QueueName, entries: readonly QueueEntry[]): Promise<{ failed: FailedEntry[] }>;
}

/** Storage for changes too large for one queue message: S3 in AWS, a local folder in local mode. */
export interface ClaimWriter {
  put(key: string, body: string): Promise<void>;
}

/** The consumers' side of the claim-check store: they only read. */
export interface ClaimReader {
  get(key: string): Promise<string>;
}

export type ClaimStore = ClaimWriter & ClaimReader;

/**
 * Where a message that can never apply goes at once, with its reason (SQS `SendMessage` to the queue's
 * DLQ in AWS, the in-process DLQ locally): retrying an invalid event only delays it.
 */
export interface DeadLetterSink {
  send(body: string, attributes: Readonly<Record<string, string>>): Promise<void>;
}
