import { BadRequestError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { ReceivedDelivery } from '../intake/intake.js';

/** 9999-12-31T23:59:59Z: no archive holds anything later. */
const LATEST_EPOCH_SECONDS = 253_402_300_799;

/** A replay window is at most this long (the archive is read hour by hour). */
export const MAX_REPLAY_WINDOW_SECONDS = 31 * 24 * 3_600;

/**
 * How far records may arrive out of their receive order: the webhook archives a delivery before it answers
 * (29 s at most), and Firehose keeps arrival order. Twice that, with room to spare.
 */
const RESUME_OVERLAP_MS = 120_000;

/** What a replay puts archived deliveries back through: the intake (every queue), or one relay destination. */
export interface ReplayTarget {
  accept(received: ReceivedDelivery): Promise<{ envelopes: readonly unknown[] }>;
}

export interface ReplayWindow {
  fromMs: number;
  toMs: number;
}

export interface ReplayResult {
  deliveries: number;
  changes: number;
  /** False when the time budget ended the replay first; `resumeFrom` is where to continue (epoch seconds). */
  complete: boolean;
  resumeFrom: number | null;
}

/** `{ "from": <epoch s>, "to": <epoch s> }`, checked: 400 names what is wrong. */
export const parseReplayWindow = (body: Record<string, unknown>): ReplayWindow => {
  const { from, to } = body;
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isInteger(from) || !Number.isInteger(to))
    throw new BadRequestError('from and to must be whole epoch seconds');
  if (from < 0 || to < from) throw new BadRequestError('the window must have 0 <= from <= to');
  // Past year 9999 an hour's step in milliseconds is lost in floating point: refused, never looped over.
  if (to > LATEST_EPOCH_SECONDS)
    throw new BadRequestError(`from and to must be at most ${LATEST_EPOCH_SECONDS}`);
  if (to - from > MAX_REPLAY_WINDOW_SECONDS)
    throw new BadRequestError(`a replay window is at most ${MAX_REPLAY_WINDOW_SECONDS} seconds (31 days)`);
  return { fromMs: from * 1000, toMs: to * 1000 + 999 };
};

/**
 * Puts archived deliveries back through the normal pipeline: the same split and the same queues as the webhook,
 * with the delivery's own ID and receive time, so every change has the event ID it had the first time. State
 * converges, so a replay of deliveries that were applied correctly changes nothing and emits no domain event;
 * after a decoder fix it applies what the fix reads differently.
 */
export const replay = async (
  reader: ArchiveReader,
  intake: ReplayTarget,
  window: ReplayWindow,
  deadline: number,
  now: () => number = Date.now,
): Promise<ReplayResult> => {
  let deliveries = 0;
  let changes = 0;
  for await (const delivery of reader.read(window.fromMs, window.toMs)) {
    if (now() >= deadline) {
      // The archive is in arrival order, not receive order: a delivery received a little earlier may lie after
      // this one. Resuming a little before it replays a few twice (harmless: state converges), none never.
      const resumeMs = Math.max(window.fromMs, delivery.receivedAt - RESUME_OVERLAP_MS);
      return { deliveries, changes, complete: false, resumeFrom: Math.floor(resumeMs / 1000) };
    }
    const parsed = parseJsonObject(delivery.body.toString('utf8'));
    if (parsed === undefined) continue;
    const { envelopes } = await intake.accept({
      delivery: parsed,
      body: delivery.body,
      receivedAt: delivery.receivedAt,
    });
    deliveries += 1;
    changes += envelopes.length;
  }
  return { deliveries, changes, complete: true, resumeFrom: null };
};
