import { backoffDelay, mapWithConcurrency, sleep } from '../../kernel/async.js';
import { DependencyUnavailableError, errorMessage } from '../../kernel/errors.js';
import { CLAIM_PREFIX, SQS_MAX_MESSAGE_BYTES } from '../config/constants.js';
import { type ChangeEnvelope, type ClaimCheckPointer, PASSTHROUGH, type QueueName } from './envelope.js';
import type { ClaimWriter, EnvelopeRouter, MessageSink, QueueEntry } from './ports.js';

/** SQS limits: a message and a whole SendMessageBatch call carry at most 1 MiB, a batch 10 entries. */
export { SQS_MAX_MESSAGE_BYTES };
export const SQS_MAX_BATCH_ENTRIES = 10;

interface PendingMessage extends QueueEntry {
  queue: QueueName;
  bytes: number;
}

export interface PublishSummary {
  messages: number;
  batchCalls: number;
  retries: number;
  claimChecks: number;
  /** Domain changes too large for SQS: refused for their domain, kept in passthrough with the reason. */
  oversizedDomainChanges: number;
  byQueue: Record<QueueName, number>;
}

export interface PublisherOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** Greedy packing in arrival order: a batch closes at 10 entries or when the next body would pass 1 MiB. */
export const packBatches = <T extends { bytes: number }>(messages: readonly T[]): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (
      current.length === SQS_MAX_BATCH_ENTRIES ||
      (current.length > 0 && bytes + message.bytes > SQS_MAX_MESSAGE_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

export const claimKey = (envelope: ChangeEnvelope, now: Date): string =>
  `${CLAIM_PREFIX}${now.toISOString().slice(0, 10)}/${envelope.eventId}.json`;

/**
 * Queues envelopes and resolves only when every one was accepted. Oversized changes go to the claim
 * store first (claim check); failed entries are retried with backoff; what still fails raises a
 * DependencyUnavailableError so the webhook answers 5xx and Meta delivers again.
 */
export class EnvelopePublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly concurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  public constructor(
    private readonly router: EnvelopeRouter,
    private readonly sink: MessageSink,
    private readonly claims: ClaimWriter,
    options: PublisherOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.concurrency = options.concurrency ?? 8;
    this.sleep = options.sleep ?? sleep;
    this.now = options.now ?? (() => new Date());
  }

  public async publish(envelopes: readonly ChangeEnvelope[]): Promise<PublishSummary> {
    const summary: PublishSummary = {
      messages: 0,
      batchCalls: 0,
      retries: 0,
      claimChecks: 0,
      oversizedDomainChanges: 0,
      byQueue: Object.fromEntries(this.router.queues.map((queue) => [queue, 0])),
    };
    const routed = envelopes.flatMap((envelope) =>
      this.router
        .queuesFor(envelope)
        .map((queue) => ({ envelope: this.router.shape?.(queue, envelope) ?? envelope, queue })),
    );
    let pending = await mapWithConcurrency(routed, this.concurrency, async ({ envelope, queue }, index) => {
      const message = await this.toMessage(envelope, queue, index, summary);
      summary.byQueue[message.queue] = (summary.byQueue[message.queue] ?? 0) + 1;
      return message;
    });
    summary.messages = pending.length;
    let lastReasons: string[] = [];
    for (let attempt = 0; attempt < this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) {
        summary.retries += 1;
        await this.sleep(backoffDelay(attempt, this.baseDelayMs, 2_000));
      }
      const batches = this.batchesByQueue(pending);
      summary.batchCalls += batches.length;
      const failures = await mapWithConcurrency(batches, this.concurrency, (batch) => this.sendOne(batch));
      const failedIds = new Set(failures.flatMap((failure) => failure.ids));
      lastReasons = failures.flatMap((failure) => failure.reasons);
      pending = pending.filter((message) => failedIds.has(message.id));
    }
    if (pending.length > 0) {
      throw new DependencyUnavailableError(
        'queue',
        `${pending.length} of ${summary.messages} messages not accepted after ${this.maxAttempts} attempts (${[...new Set(lastReasons)].slice(0, 3).join('; ')})`,
      );
    }
    return summary;
  }

  private async toMessage(
    envelope: ChangeEnvelope,
    queue: QueueName,
    index: number,
    summary: PublishSummary,
  ): Promise<PendingMessage> {
    let body = JSON.stringify(envelope);
    let bytes = Buffer.byteLength(body, 'utf8');
    if (bytes <= SQS_MAX_MESSAGE_BYTES) return { id: `m${index}`, queue, body, bytes };
    // No real account_update, partner_solutions or handover change comes near 1 MiB: one that does is not a
    // change its domain can apply. It is refused for its domain and kept in passthrough with the reason, so
    // the domain consumers never need claim checks (nor S3).
    const refused = queue === PASSTHROUGH ? undefined : queue;
    if (refused !== undefined) summary.oversizedDomainChanges += 1;
    const key = claimKey(envelope, this.now());
    try {
      await this.claims.put(key, body);
    } catch (error) {
      throw new DependencyUnavailableError('claim-check store', error);
    }
    const pointer: ClaimCheckPointer = {
      v: 1,
      claimCheck: { key, bytes },
      eventId: envelope.eventId,
      deliveryId: envelope.deliveryId,
      kind: envelope.kind,
      ...(refused === undefined
        ? {}
        : {
            refusedBy: refused,
            reason: `a ${envelope.kind} change of ${bytes} bytes is larger than SQS's 1 MiB`,
          }),
    };
    body = JSON.stringify(pointer);
    bytes = Buffer.byteLength(body, 'utf8');
    summary.claimChecks += 1;
    return { id: `m${index}`, queue: PASSTHROUGH, body, bytes };
  }

  private batchesByQueue(messages: readonly PendingMessage[]): PendingMessage[][] {
    const byQueue = new Map<QueueName, PendingMessage[]>();
    for (const message of messages) {
      const list = byQueue.get(message.queue) ?? [];
      list.push(message);
      byQueue.set(message.queue, list);
    }
    return [...byQueue.values()].flatMap((list) => packBatches(list));
  }

  private async sendOne(batch: PendingMessage[]): Promise<{ ids: string[]; reasons: string[] }> {
    const queue = batch[0]?.queue;
    if (queue === undefined) return { ids: [], reasons: [] };
    try {
      const { failed } = await this.sink.sendBatch(
        queue,
        batch.map(({ id, body }) => ({ id, body })),
      );
      return { ids: failed.map((entry) => entry.id), reasons: failed.map((entry) => entry.reason) };
    } catch (error) {
      return { ids: batch.map((message) => message.id), reasons: [errorMessage(error)] };
    }
  }
}
