import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { LocalClaimStore } from '../../local/claim-store.js';
import { LocalQueues } from '../../local/in-process-queue.js';
import { parseReplayWindow, replay } from '../../shared/app/replay/replay.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { BadRequestError } from '../../shared/kernel/errors.js';
import type { ArchivedDelivery, ArchiveReader } from '../../shared/platform/archive/archive.js';
import { QUEUE_NAMES } from '../support/queues.js';

/** An archive as Firehose leaves it: arrival order, which is not always receive order. */
const archiveOf = (receivedAt: number[]): ArchiveReader => ({
  async *read(fromMs: number, toMs: number): AsyncIterable<ArchivedDelivery> {
    const body = Buffer.from(JSON.stringify(FIXTURES['partner-added']?.body ?? {}));
    for (const at of receivedAt) if (at >= fromMs && at <= toMs) yield { receivedAt: at, body };
  },
});

describe('replay in several calls', () => {
  it('resumes early enough that a delivery archived out of receive order is never skipped', async () => {
    // Prepare: received at 1,000 s, 1,130 s and 1,100 s, in that arrival order (the last was archived late).
    const archive = archiveOf([1_000_000, 1_130_000, 1_100_000]);
    const publisher = composeIntake({
      sink: new LocalQueues(QUEUE_NAMES, { visibilityTimeoutMs: 1_000, maxReceiveCount: 5 }),
      claims: new LocalClaimStore(),
    });
    let clock = 0;
    const now = () => clock++; // the budget ends after one delivery

    // Act
    const first = await replay(archive, publisher, { fromMs: 0, toMs: 2_000_000 }, 1, now);
    const rest = await replay(
      archive,
      publisher,
      { fromMs: (first.resumeFrom ?? 0) * 1000, toMs: 2_000_000 },
      Number.POSITIVE_INFINITY,
    );

    // Assess: the cut fell at the delivery of 1,130 s; the resumed call still replays the one of 1,100 s behind it
    expect(first).toMatchObject({ complete: false, deliveries: 1 });
    expect(first.resumeFrom).toBeLessThanOrEqual(1_100);
    expect(rest).toMatchObject({ complete: true, deliveries: 2 });
  });
});

describe('replay windows', () => {
  it('refuses instants no archive can hold (past year 9999), before reading anything', () => {
    for (const window of [
      { from: 1e20, to: 1e20 },
      { from: 0, to: 253_402_300_800 },
    ])
      expect(() => parseReplayWindow(window), JSON.stringify(window)).toThrow(BadRequestError);
    expect(parseReplayWindow({ from: 253_402_300_000, to: 253_402_300_799 })).toMatchObject({
      fromMs: 253_402_300_000_000,
    });
  });
});
