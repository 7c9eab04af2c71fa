import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue } from '../../local/in-process-queue.js';
import { LocalConsumer } from '../../local/local-consumer.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the in-process queue keeps SQS semantics', () => {
  it('hides a received message for the visibility timeout, counts receives, and deletes only by the current receipt', async () => {
    let now = 0;
    const queue = new LocalQueue('q', { visibilityTimeoutMs: 50 }, () => now);
    queue.send('a');
    const [first] = queue.receive(10);
    expect(first?.attributes.ApproximateReceiveCount).toBe('1');
    now = 49;
    expect(queue.receive(10)).toEqual([]);
    now = 50;
    const [second] = queue.receive(10);
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    expect(queue.delete(first?.receiptHandle ?? '')).toBe(false);
    expect(queue.delete(second?.receiptHandle ?? '')).toBe(true);
    expect(queue.size()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('moves a message to the DLQ when a receive would pass maxReceiveCount', async () => {
    const dlq = new LocalQueue('dlq', { visibilityTimeoutMs: 10 });
    const queue = new LocalQueue('q', { visibilityTimeoutMs: 0, maxReceiveCount: 3, dlq });
    queue.send('poison');
    for (let receive = 1; receive <= 3; receive++) expect(queue.receive(1)).toHaveLength(1);
    expect(queue.receive(1)).toEqual([]);
    expect(dlq.bodies()).toEqual(['poison']);
  });

  it('delivers batches, keeps only the reported failures, and wakes at once for new messages even while a retry timer is pending', async () => {
    // Fake timers: the clock moves only when the test says, so "at once" means with no time passing at all.
    vi.useFakeTimers();
    const queue = new LocalQueue('q', { visibilityTimeoutMs: 5_000 });
    const seen: string[] = [];
    const consumer = new LocalConsumer(
      queue,
      async (event: SQSEvent) => {
        seen.push(...event.Records.map((record) => record.body));
        return {
          batchItemFailures: event.Records.filter((record) => record.body === 'fail').map((record) => ({
            itemIdentifier: record.messageId,
          })),
        };
      },
      { batchSize: 10, batchWindowMs: 0, concurrency: 1, functionName: 'q', timeoutMs: 1_000 },
    );
    consumer.start();
    queue.send('fail');
    queue.send('ok-1');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['fail', 'ok-1']);
    // 'fail' stays in flight for 5 s; a new message must not wait for that retry timer.
    const sentAt = Date.now();
    queue.send('ok-2');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['fail', 'ok-1', 'ok-2']);
    expect(Date.now()).toBe(sentAt);
    expect(queue.size()).toEqual({ visible: 0, inFlight: 1 });
    await consumer.stop();
  });

  it('receives nothing before start(): a stack started without consumers leaves what arrives queued', async () => {
    vi.useFakeTimers();
    const queue = new LocalQueue('q', { visibilityTimeoutMs: 5_000 });
    const seen: string[] = [];
    const consumer = new LocalConsumer(
      queue,
      async (event: SQSEvent) => {
        seen.push(...event.Records.map((record) => record.body));
      },
      { batchSize: 10, batchWindowMs: 0, concurrency: 1, functionName: 'q', timeoutMs: 1_000 },
    );
    queue.send('queued');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual([]);
    expect(queue.size()).toEqual({ visible: 1, inFlight: 0 });
    consumer.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['queued']);
    await consumer.stop();
  });
});
