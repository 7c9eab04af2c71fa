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
export const requireTime = (value: unknown, what: string): number => {
  const time = typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value) : value;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new InvalidEventError(`${what} is missing or not a timestamp`);
  }
  return time;
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

/** Meta's handover timestamps are milliseconds; a value that looks like seconds is scaled. */
export const toMilliseconds = (timestamp: number): number =>
  timestamp < 100_000_000_000 ? timestamp * 1000 : timestamp;
