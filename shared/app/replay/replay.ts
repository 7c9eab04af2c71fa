import { BadRequestError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { ArchivedEntryAt, ArchivePosition, ArchiveReader } from '../../platform/archive/archive.js';
import { decodeCursor, encodeCursor } from '../../platform/store/cursor.js';
import type { ReceivedDelivery } from '../intake/intake.js';

/** What a replay puts archived deliveries back through: the intake (every queue), or one relay destination. */
export interface ReplayTarget {
  accept(received: ReceivedDelivery): Promise<{ envelopes: readonly unknown[] }>;
}

/** 9999-12-31T23:59:59Z: no archive holds anything later. */
const LATEST_EPOCH_SECONDS = 253_402_300_799;

/** A replay window is at most this long (the archive is read hour by hour). */
export const MAX_REPLAY_WINDOW_SECONDS = 31 * 24 * 3_600;

export interface ReplayWindow {
  /** The window as asked for (epoch seconds): what a cursor is bound to. */
  from: number;
  to: number;
  fromMs: number;
  toMs: number;
  /** Continue after this archive position (a previous call's `cursor`). */
  after?: ArchivePosition;
}

export interface ReplayResult {
  deliveries: number;
  changes: number;
  /** False when the call's budget ended the replay first; `cursor` then continues it. */
  complete: boolean;
  /** Send it back with the same window to continue after the last delivery this call read; null when complete. */
  cursor: string | null;
}

/** A cursor names the window it belongs to and the archive position after which to continue. */
const encodeReplayCursor = (window: ReplayWindow, position: ArchivePosition): string =>
  encodeCursor({ from: window.from, to: window.to, ...position });

const readReplayCursor = (cursor: unknown, from: number, to: number): ArchivePosition => {
  const refused = () => new BadRequestError('cursor is not one this API returned for this window');
  if (typeof cursor !== 'string') throw refused();
  const { from: cursorFrom, to: cursorTo, partition, key, line, ...rest } = decodeCursor(cursor);
  if (
    Object.keys(rest).length > 0 ||
    cursorFrom !== from ||
    cursorTo !== to ||
    typeof partition !== 'string' ||
    typeof key !== 'string' ||
    typeof line !== 'number' ||
    !Number.isInteger(line) ||
    line < 0
  )
    throw refused();
  return { partition, key, line };
};

/**
 * `{ "from": <epoch s>, "to": <epoch s>, "cursor"?: <a previous answer's> }`, checked: 400 names what is wrong.
 */
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
  const window = { from, to, fromMs: from * 1000, toMs: to * 1000 + 999 };
  return body.cursor === undefined ? window : { ...window, after: readReplayCursor(body.cursor, from, to) };
};

/** Deliveries put back at once: their order does not matter (state converges), and the sends overlap. */
export const REPLAY_CONCURRENCY = 8;

/**
 * Puts archived deliveries back through the normal pipeline: the same split and the same queues as the webhook,
 * with the delivery's own ID and receive time, so every change has the event ID it had the first time. State
 * converges, so a replay of deliveries that were applied correctly changes nothing and emits no domain event;
 * after a decoder fix it applies what the fix reads differently.
 *
 * It always progresses: the budget is looked at only after a batch of deliveries (up to `REPLAY_CONCURRENCY`,
 * put back at once) has been put back, so every call that does not complete the window answers a cursor past at
 * least one more delivery, and a window of any size finishes in at most one call per batch. The cursor is the archive position of the last delivery read (the
 * archive is in arrival order, not receive order: resuming from a time would either skip a delivery received
 * earlier but archived later, or, looking back to be safe, never get past a busy stretch).
 */
export const replay = async (
  reader: ArchiveReader,
  intake: ReplayTarget,
  window: ReplayWindow,
  deadline: number,
  now: () => number = Date.now,
): Promise<ReplayResult> => {
  const totals = { deliveries: 0, changes: 0 };
  let batch: ArchivedEntryAt[] = [];
  const putBack = async (): Promise<ReplayResult | undefined> => {
    await Promise.all(batch.map((delivery) => putBackOne(intake, delivery, totals)));
    const last = batch.at(-1);
    batch = [];
    if (last === undefined || now() < deadline) return undefined;
    return { ...totals, complete: false, cursor: encodeReplayCursor(window, last.position) };
  };
  for await (const delivery of reader.read(window.fromMs, window.toMs, window.after)) {
    batch.push(delivery);
    if (batch.length < REPLAY_CONCURRENCY) continue;
    const stopped = await putBack();
    if (stopped !== undefined) return stopped;
  }
  return (await putBack()) ?? { ...totals, complete: true, cursor: null };
};

const putBackOne = async (
  intake: ReplayTarget,
  delivery: ArchivedEntryAt,
  totals: { deliveries: number; changes: number },
): Promise<void> => {
  const parsed = parseJsonObject(delivery.body.toString('utf8'));
  if (parsed === undefined) return;
  const { envelopes } = await intake.accept({
    delivery: parsed,
    body: delivery.body,
    receivedAt: delivery.receivedAt,
  });
  totals.deliveries += 1;
  totals.changes += envelopes.length;
};
