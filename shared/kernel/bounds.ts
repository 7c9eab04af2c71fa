import { canonicalJson } from './event-id.js';

/**
 * Size bounds on what Meta's input may put in an item. A register holds what one event said; Meta decides what
 * that is, so each domain keeps what matters within a stated size, counts what it dropped, and bounds how many
 * registers an item may hold. Together they give every item and every event a maximum no input can exceed
 * (DynamoDB refuses items over 400 KB, EventBridge entries over 256 KB).
 */

const bytesOf = (value: unknown): number => Buffer.byteLength(canonicalJson(value));

/** A free text Meta sent, cut to `max` characters (what was cut is said in the text itself). */
export const boundedText = (value: string, max: number): string =>
  value.length <= max ? value : `${value.slice(0, max)}… (${value.length - max} more characters dropped)`;

/** What was left out of a bounded record: how many fields (the first names) and how many bytes. */
export interface Dropped {
  fields: number;
  bytes: number;
  names: string[];
}

/**
 * A record of what Meta sent, within `maxBytes` of canonical JSON: the `keep` fields first (those the read model
 * reads), then the others smallest first; a field that does not fit is left out whole and counted.
 */
export const boundedRecord = (
  record: Record<string, unknown>,
  maxBytes: number,
  keep: readonly string[] = [],
): { record: Record<string, unknown>; dropped: Dropped | null } => {
  if (bytesOf(record) <= maxBytes) return { record, dropped: null };
  const sized = Object.entries(record).map(([name, value]) => ({
    name,
    value,
    bytes: bytesOf({ [name]: value }),
  }));
  sized.sort((a, b) => Number(keep.includes(b.name)) - Number(keep.includes(a.name)) || a.bytes - b.bytes);
  const kept: Record<string, unknown> = {};
  const dropped: Dropped = { fields: 0, bytes: 0, names: [] };
  let used = 2;
  for (const field of sized) {
    if (used + field.bytes + 1 <= maxBytes) {
      kept[field.name] = field.value;
      used += field.bytes + 1;
    } else {
      dropped.fields += 1;
      dropped.bytes += field.bytes;
      if (dropped.names.length < 10) dropped.names.push(field.name.slice(0, 64));
    }
  }
  return { record: kept, dropped };
};

/** A slot in [0, slots) for a name: a fixed number of registers holds any number of names. */
export const slotOf = (name: string, slots: number): number => {
  let hash = 2_166_136_261;
  for (let index = 0; index < name.length; index++) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 16_777_619) >>> 0;
  }
  return hash % slots;
};
