import type { DomainChange } from './change.js';
import { InvalidEventError } from './errors.js';
import { metaIdOrNull } from './ids.js';
import { isRecord } from './json.js';

/** Meta sends IDs as strings, sometimes as bare numbers; both become strings (see `ids.ts` for the rule). */
export const idOrNull = metaIdOrNull;

/** An ID the event cannot do without: anything else makes the event invalid. */
export const requireId = (value: unknown, what: string): string => {
  const id = metaIdOrNull(value);
  if (id === null) throw new InvalidEventError(`${what} is missing or not a Meta ID (decimal digits)`);
  return id;
};

/** An optional ID: absent is null, present but not an ID makes the event invalid (never silently dropped). */
export const optionalId = (value: unknown, what: string): string | null =>
  value === undefined || value === null || value === '' ? null : requireId(value, what);

export const requireRecord = (value: unknown, what: string): Record<string, unknown> => {
  if (!isRecord(value)) throw new InvalidEventError(`${what} is missing or not an object`);
  return value;
};

/** A timestamp as a number, or as a string of digits (some senders quote Messenger's timestamps). */
const requireTime = (value: unknown, what: string): number => {
  const time = typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : value;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new InvalidEventError(`${what} is missing or not a timestamp`);
  }
  return time;
};

/** TheFacebook opened on 2004-02-04: no event of Meta's platforms is older. */
export const EARLIEST_EVENT_MS = Date.UTC(2004, 1, 4);
/** How far an event may lie ahead of the instant the webhook received it: clocks drift, never by a day. */
export const MAX_EVENT_AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * The one rule for every event time a decoder reads from Meta's payload (and the consumer for `entry.time`):
 * seconds or milliseconds, as epoch milliseconds, within [2004-02-04, received + 1 day]. Anything else is
 * not a time Meta could have sent, and as a register's version it would decide every later comparison (9e15
 * would make every real event stale for ever): an invalid event with its reason, to the DLQ. Relative to
 * `receivedAt` (when the webhook accepted the delivery), so a replay decides exactly as the first time did.
 */
export const requireEventTime = (
  value: unknown,
  what: string,
  change: Pick<DomainChange, 'receivedAt'>,
): number => {
  const timeMs = toMilliseconds(requireTime(value, what));
  if (timeMs < EARLIEST_EVENT_MS)
    throw new InvalidEventError(`${what} ${String(value)} is before Meta existed (2004-02-04)`);
  if (timeMs > change.receivedAt + MAX_EVENT_AHEAD_MS)
    throw new InvalidEventError(
      `${what} ${String(value)} lies more than a day in the future of its delivery (received ${new Date(change.receivedAt).toISOString()})`,
    );
  return timeMs;
};

export const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Handover metadata is free text; anything else Meta might send is kept as its JSON. */
export const metadataOrNull = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
};

/** A list of IDs; an entry that is not an ID makes the event invalid. */
export const idList = (value: unknown, what: string): string[] =>
  Array.isArray(value) ? value.map((entry, index) => requireId(entry, `${what}[${index}]`)) : [];

/** Whether a timestamp reads as whole seconds (WhatsApp's `entry.time`) rather than milliseconds (handovers). */
const isWholeSeconds = (timestamp: number): boolean => timestamp < 100_000_000_000;

/** Meta's handover timestamps are milliseconds; a value that looks like seconds is scaled. */
export const toMilliseconds = (timestamp: number): number =>
  isWholeSeconds(timestamp) ? timestamp * 1000 : timestamp;
