import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { LocalClaimStore } from '../../local/claim-store.js';
import { LocalQueues } from '../../local/in-process-queue.js';
import { parseReplayWindow, REPLAY_CONCURRENCY, replay } from '../../shared/app/replay/replay.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { BadRequestError } from '../../shared/kernel/errors.js';
import {
  type ArchivedEntryAt,
  type ArchivePosition,
  type ArchiveReader,
  comparePositions,
} from '../../shared/platform/archive/archive.js';
import { QUEUE_NAMES } from '../support/queues.js';

/** An archive as Firehose leaves it: arrival order, which is not always receive order (one object, hour 0). */
const archiveOf = (receivedAt: number[]): ArchiveReader => ({
  async *read(fromMs: number, toMs: number, after?: ArchivePosition): AsyncIterable<ArchivedEntryAt> {
    const body = Buffer.from(JSON.stringify(FIXTURES['partner-added']?.body ?? {}));
    for (const [line, at] of receivedAt.entries()) {
      const position = { partition: '1970/01/01/00', key: 'object-1', line };
      if (after !== undefined && comparePositions(position, after) <= 0) continue;
      if (at >= fromMs && at <= toMs) yield { receivedAt: at, body, position };
    }
  },
});

const intake = () =>
  composeIntake({
    sink: new LocalQueues(QUEUE_NAMES, { visibilityTimeoutMs: 1_000, maxReceiveCount: 5 }),
    claims: new LocalClaimStore(),
  });

/** Calls replay like a client that follows the cursor, each call's budget ending after its first delivery. */
const replayInCalls = async (archive: ArchiveReader, from: number, to: number, maxCalls: number) => {
  const channel = intake();
  let cursor: string | null = null;
  let deliveries = 0;
  let calls = 0;
  do {
    let clock = 1; // the budget has ended by the first look: one batch per call
    const window = parseReplayWindow({ from, to, ...(cursor === null ? {} : { cursor }) });
    const result = await replay(archive, channel, window, 1, () => clock++);
    deliveries += result.deliveries;
    cursor = result.cursor;
    calls += 1;
  } while (cursor !== null && calls < maxCalls);
  return { deliveries, calls, complete: cursor === null };
};

describe('replay in several calls', () => {
  it('never skips a delivery archived out of receive order, and reads none twice', async () => {
    // Prepare: received at 1,000 s, 1,130 s and 1,100 s, in that arrival order (the last was archived late).
    const archive = archiveOf([1_000_000, 1_130_000, 1_100_000]);

    // Act
    const done = await replayInCalls(archive, 0, 2_000, 10);

    // Assess
    expect(done).toMatchObject({ deliveries: 3, complete: true });
  });

  it('a window of any size finishes: 2,000 deliveries received within one second, one batch per call', async () => {
    const archive = archiveOf(Array.from({ length: 2_000 }, (_, index) => 5_000_000 + (index % 1_000)));
    const done = await replayInCalls(archive, 5_000, 5_001, 2_500);
    expect(done).toMatchObject({ deliveries: 2_000, complete: true });
    expect(done.calls).toBeLessThanOrEqual(2_000 / REPLAY_CONCURRENCY + 1);
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

  it('refuses a cursor of another window, or one it did not make', async () => {
    const archive = archiveOf([1_000_000, 1_001_000]);
    let clock = 1;
    const first = await replay(
      archive,
      intake(),
      parseReplayWindow({ from: 0, to: 2_000 }),
      1,
      () => clock++,
    );
    expect(first.cursor).toEqual(expect.any(String));
    expect(() => parseReplayWindow({ from: 0, to: 2_001, cursor: first.cursor })).toThrow(BadRequestError);
    expect(() => parseReplayWindow({ from: 0, to: 2_000, cursor: 'eyJ4IjoxfQ' })).toThrow(BadRequestError);
    expect(() => parseReplayWindow({ from: 0, to: 2_000, cursor: 5 })).toThrow(BadRequestError);
  });
});
