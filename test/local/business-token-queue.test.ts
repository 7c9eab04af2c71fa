import { describe, expect, it } from 'vitest';
import { queueWithDlq } from '../../local/in-process-queue.js';
import { localQueueTiming } from '../../local/stack.js';
import { FETCH_LEASE_MS } from '../../shared/domains/wabas/business-tokens.js';

/**
 * Receives a job the way consumers do while a dead holder's lease is held: each receive fails (the job is
 * never deleted) and the job comes back once its visibility timeout ends, until the queue dead-letters it.
 * Answers how long after the first receive the last one happened.
 */
const retryWindowMs = (timing: { visibilityTimeoutMs: number; maxReceiveCount: number }): number => {
  let time = 0;
  const queue = queueWithDlq('business-tokens', { ...timing, now: () => time });
  queue.send('{"v":1}');
  let lastReceive = 0;
  while (queue.dlq?.bodies().length === 0) {
    if (queue.receive(1).length > 0) lastReceive = time;
    time += 100;
  }
  return lastReceive;
};

describe('local business-token jobs queue', () => {
  it('retries a job after a killed consumer’s fetch lease has lapsed, before the DLQ takes it', () => {
    // Prepare: local mode's own timing, as `npm start` runs it (no test overrides).
    const { businessTokens } = localQueueTiming({});

    // Act
    const window = retryWindowMs(businessTokens);

    // Assess: some retry comes after the lease lapsed, with a margin for the retry's own work; and every
    // retry does, whichever receive the dead holder had (its visibility timeout outlasts the lease).
    expect(window).toBeGreaterThanOrEqual(FETCH_LEASE_MS + 10_000);
    expect(businessTokens.visibilityTimeoutMs).toBeGreaterThan(FETCH_LEASE_MS);
  });

  it('keeps the domain queues’ timing, and lets a caller set every queue’s timing', () => {
    // Act
    const defaults = localQueueTiming({});
    const compressed = localQueueTiming({ visibilityTimeoutMs: 200, maxReceiveCount: 3 });

    // Assess
    expect(defaults.domain).toEqual({ visibilityTimeoutMs: 2_000, maxReceiveCount: 5 });
    expect(compressed.businessTokens).toEqual({ visibilityTimeoutMs: 200, maxReceiveCount: 3 });
  });
});
