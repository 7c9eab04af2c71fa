/**
 * How Switchboard converges with one conditional write per event.
 *
 * An item is a set of last-writer-wins registers, each a top-level map attribute named `r_<name>`.
 * An event writes exactly one register, under the condition that the stored register is older than the
 * event (`attribute_not_exists(r) OR r.v < :v`). Versions are totally ordered strings (event time, a
 * documented tie-break rank, event ID), so each register ends up holding the newest event of its kind
 * whatever the arrival order, and a stale or duplicate event simply fails the condition. The read model is
 * a pure fold over the registers (`project*` functions), hence a function of the set of events received.
 *
 * `applyRegisterWrite` is the in-memory twin of the DynamoDB update the repositories issue; tests prove
 * both give the same items.
 */
import { InvalidEventError } from './errors.js';

export type Item = Record<string, unknown>;

export interface Register {
  /** Version: see `versionOf`. */
  v: string;
  [field: string]: unknown;
}

export interface RegisterWrite {
  /** Attribute holding the register, `r_<name>`. */
  register: string;
  value: Register;
  /** Top-level attributes owned by this register and set with it (index keys). */
  owned?: Record<string, string | number>;
  /** Top-level attributes set only while absent: first writer wins (`discoveredBy`). */
  ifAbsent?: Record<string, string | number>;
  /**
   * The item names a person (a PSID, a WhatsApp user): it lives an idle period after its last write (the
   * writer keeps `RETAIN_UNTIL`, the table's TTL), and past it reads and is written as an item never seen.
   */
  expiresWhenIdle?: boolean;
}

/** `erased`: refused by a tombstone (the event is about an erased user and not newer than the erasure). */
export type WriteOutcome = 'applied' | 'stale' | 'duplicate' | 'erased';

export const REGISTER_PREFIX = 'r_';

/**
 * A tombstone: the version at or below which every event about the item is refused (an erasure). Kept in the
 * item itself, so the one conditional write of an event checks it at no cost: no read, no second item.
 */
export const ERASED_BEFORE = 'erasedBefore';

/** Epoch seconds after which an item naming a person has expired (the table's DynamoDB TTL attribute). */
export const RETAIN_UNTIL = 'retainUntil';

/**
 * `<time ms, 15 digits>.<rank, 2 digits>.<event ID>`: string order is event order. The rank breaks ties
 * between events of the same instant by a fixed rule per domain; the event ID breaks the remaining ties.
 */
export const versionOf = (timeMs: number, rank: number, eventId: string): string =>
  `${String(Math.max(0, Math.trunc(timeMs))).padStart(15, '0')}.${String(Math.max(0, Math.min(99, rank))).padStart(2, '0')}.${eventId}`;

/** The floor an erasure at `timeMs` sets: every event version at or before that instant sorts below it. */
export const erasureFloor = (timeMs: number): string => versionOf(timeMs, 99, '~');
/**
 * The clock a fact was timed on: Meta's WhatsApp webhooks carry `entry.time` in whole seconds (the change
 * happened at some instant of that second), handover notifications carry milliseconds.
 */
export type FactClock = 'ms' | 'second';

/**
 * A fact's version: `versionOf` at the latest instant its clock allows. A fact timed in whole seconds could
 * have happened at any millisecond of its second, so it is placed at the last one (`<second>.999`): no reading
 * taken within that second can outrank it (see `readingVersion`). Facts of one second keep their documented
 * same-second rank among themselves.
 */
export const factVersion = (timeMs: number, rank: number, eventId: string, clock: FactClock = 'ms'): string =>
  versionOf(clock === 'second' ? Math.floor(timeMs / 1000) * 1000 + 999 : timeMs, rank, eventId);

/** Above every rank a domain gives its facts (0 to 9): a reading's rank at the instant before it was taken. */
const READING_RANK = 99;

/**
 * The version of a reading (a reconciliation sweep's list, `thread_owner`, a solution read before an action):
 * Meta's state at some instant after `takenAtMs`, when its request was sent. Readings and facts share one clock
 * (the facts'), and a reading is ranked by when it was taken, never when it was written: at the millisecond
 * before it (`<taken - 1>.99.<event ID>`), so it ranks above every fact before that instant and below every
 * fact that may be as late: one of the same millisecond, and one timed in whole seconds within the same second
 * (placed at its second's end by `factVersion`). The same-second rule, for WhatsApp's whole-second webhooks: a
 * reading ranks below every fact of the second it was taken in, since that second cannot tell which came first;
 * a reading taken in a later second settles what the webhooks missed. See docs/time-and-order.md.
 */
export const readingVersion = (takenAtMs: number, eventId: string): string =>
  versionOf(Math.trunc(takenAtMs) - 1, READING_RANK, eventId);

/** Drops undefined fields recursively, as DynamoDB's marshaller does, so memory and table hold the same item. */
export const compact = <T>(value: T): T => {
  if (Array.isArray(value)) return value.map((item) => compact(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) out[key] = compact(field);
  }
  return out as T;
};

export const classifyRejection = (stored: Register | undefined, incoming: Register): WriteOutcome =>
  stored !== undefined && stored.v === incoming.v ? 'duplicate' : 'stale';

const isRegister = (value: unknown): value is Register =>
  typeof value === 'object' && value !== null && typeof (value as { v?: unknown }).v === 'string';

export const registerOf = (item: Item | undefined, name: string): Register | undefined => {
  const value = item?.[name];
  return isRegister(value) ? value : undefined;
};

/**
 * The most one register may hold. Each domain bounds what Meta's input puts in a register (and how many
 * registers an item may have) well within it; this is the backstop behind those bounds: a register past it is
 * an invalid event (its DLQ, with the reason), never an item DynamoDB refuses for good (400 KB).
 */
export const MAX_REGISTER_BYTES = 8 * 1024;

export const checkRegisterSize = (write: RegisterWrite): void => {
  const bytes = Buffer.byteLength(JSON.stringify(write.value));
  if (bytes > MAX_REGISTER_BYTES)
    throw new InvalidEventError(
      `register ${write.register.slice(0, 80)} would hold ${bytes} bytes; at most ${MAX_REGISTER_BYTES} are kept`,
    );
};

/** Pure apply: the same rule as the conditional update, for tests, local reasoning and projections. */
export const applyRegisterWrite = (
  item: Item | undefined,
  key: Item,
  write: RegisterWrite,
): { item: Item; outcome: WriteOutcome } => {
  checkRegisterSize(write);
  const value = compact(write.value);
  const floor = item?.[ERASED_BEFORE];
  if (item !== undefined && typeof floor === 'string' && value.v <= floor) return { item, outcome: 'erased' };
  const current = registerOf(item, write.register);
  if (item !== undefined && current !== undefined && current.v >= value.v) {
    return { item, outcome: classifyRejection(current, value) };
  }
  const next: Item = { ...item, ...key, [write.register]: value, ...write.owned };
  for (const [name, initial] of Object.entries(write.ifAbsent ?? {})) {
    if (next[name] === undefined) next[name] = initial;
  }
  return { item: next, outcome: 'applied' };
};

/**
 * A domain's registers, by name: the one place that says which attribute holds which kind of fact, with
 * the shape its value has. The write (`writeRegister`) and the projection (`readRegisters`) both go
 * through it, so a register is written and read back with the same type.
 */
export type RegisterNames<M> = { readonly [K in keyof M]: string };

/** Every register of `names` an item holds, typed by the domain's map (the one narrowing point). */
export const readRegisters = <M extends Record<keyof M, Register>>(
  item: Item | undefined,
  names: RegisterNames<M>,
): Partial<M> => {
  const found: Partial<M> = {};
  for (const key of Object.keys(names) as (keyof M)[]) {
    const register = registerOf(item, names[key]);
    if (register !== undefined) found[key] = register as M[keyof M];
  }
  return found;
};

/** A register of the domain's map, written with exactly the shape it is read back with. */
export const writeRegister = <M extends Record<keyof M, Register>, K extends keyof M>(
  names: RegisterNames<M>,
  key: K,
  value: M[K],
  extras: Pick<RegisterWrite, 'owned' | 'ifAbsent'> = {},
): RegisterWrite => ({ register: names[key], value, ...extras });

/** Registers of one family (one per status, per app, ...): attribute suffix → register. */
export const readFamily = <R extends Register>(item: Item | undefined, prefix: string): Map<string, R> => {
  const family = new Map<string, R>();
  for (const [name, _value] of Object.entries(item ?? {})) {
    if (!name.startsWith(prefix)) continue;
    const register = registerOf(item, name);
    if (register !== undefined) family.set(name.slice(prefix.length), register as R);
  }
  return family;
};

/** Whether the item holds any register (a tombstone or a key alone holds none: nothing is known). */
export const holdsRegisters = (item: Item | undefined): boolean =>
  Object.keys(item ?? {}).some((name) => registerOf(item, name) !== undefined);

/**
 * The item as its readers see it at `nowSeconds`: absent when it holds no register (a tombstone) or has
 * expired (DynamoDB's TTL deletes expired items late, so an expired item must read as already gone).
 */
export const liveItem = (item: Item | undefined, nowSeconds: number): Item | undefined => {
  if (item === undefined || !holdsRegisters(item)) return undefined;
  const until = item[RETAIN_UNTIL];
  return typeof until === 'number' && until < nowSeconds ? undefined : item;
};

/** The newest of several optional registers. */
export const newest = <R extends Register>(...registers: (R | undefined)[]): R | undefined => {
  let winner: R | undefined;
  for (const register of registers) {
    if (register !== undefined && (winner === undefined || register.v > winner.v)) winner = register;
  }
  return winner;
};

export const toEpochSeconds = (timeMs: number): number => Math.floor(timeMs / 1000);
