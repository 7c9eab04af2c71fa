import {
  applyRegisterWrite,
  type Item,
  type Register,
  type RegisterNames,
  type RegisterWrite,
  versionOf,
  type WriteOutcome,
  writeRegister,
} from '../../kernel/registers.js';

/**
 * The facts that say who owns a WhatsApp thread (one business phone number, one WhatsApp user). Each kind keeps its
 * own last-writer-wins register: one conditional write per fact, no read, and the read model (`view.ts`) is a
 * pure fold over the registers, so any order and any number of deliveries give the same thread.
 */
interface FactBase {
  phoneNumberId: string;
  /** The phone number when Meta sends one (`wa_id`, `from`, `sender.phone_number`), else the BSUID. */
  userId: string;
  /** Epoch ms: Meta's timestamp (whole seconds) for webhooks, our clock for our own actions. */
  timeMs: number;
  eventId: string;
}

/** `messaging_handovers`: `control_passed` reaches the new owner (us), `control_taken` the previous one (us). */
export interface HandoverFact extends FactBase {
  kind: 'control_passed' | 'control_taken';
  previousOwnerRole: string | null;
  newOwnerRole: string | null;
  metadata: string | null;
  /** Deprecated by Meta; kept as data, never used to decide ownership. */
  previousOwnerAppId: string | null;
  /** The AI summary (`conversation_context`): kept here, never in the read model, an event or a log line. */
  conversationContext?: string;
}

/**
 * Activity on the thread: a customer message that reached us on `messages` (we own it), a `standby` copy of one
 * (someone else owns it), or the owner's echo on `standby` (someone else owns it; not a customer message).
 */
export interface ActivityFact extends FactBase {
  kind: 'message' | 'standby_message' | 'standby_echo';
  /** The newest message of the change for this user (the one whose time the fact carries). */
  messageId: string | null;
  /** The user's BSUID when Meta sent it beside the phone number that keys the thread. */
  bsuid?: string;
}

export type ThreadControlAction = 'pass' | 'take' | 'release';

/** Meta answered 200 to our own `thread_control` call. */
export interface ActionFact extends FactBase {
  kind: ThreadControlAction;
  /** For `pass`: the role it went to (`escalation` unless `ai_agent` was asked). */
  targetRole: string | null;
  metadata: string | null;
}

/** Our call went out and Meta did not answer (timeout, reset, 5xx): it may or may not have acted. */
export interface UnknownOutcomeFact extends FactBase {
  kind: 'unknown';
  action: ThreadControlAction;
  targetRole: string | null;
  reason: string;
}

export type WhatsappFact = HandoverFact | ActivityFact | ActionFact | UnknownOutcomeFact;
export type FactKind = WhatsappFact['kind'];

export type Stored<T> = Register & Omit<T, 'phoneNumberId' | 'userId' | 'eventId'>;

export interface ThreadRegisters {
  control_passed: Stored<HandoverFact>;
  control_taken: Stored<HandoverFact>;
  message: Stored<ActivityFact>;
  standby_message: Stored<ActivityFact>;
  standby_echo: Stored<ActivityFact>;
  pass: Stored<ActionFact>;
  take: Stored<ActionFact>;
  release: Stored<ActionFact>;
  unknown: Stored<UnknownOutcomeFact>;
}

export const REGISTERS: RegisterNames<ThreadRegisters> = {
  control_passed: 'r_passed',
  control_taken: 'r_taken',
  message: 'r_msg',
  standby_message: 'r_sby',
  standby_echo: 'r_echo',
  pass: 'r_pass',
  take: 'r_take',
  release: 'r_release',
  unknown: 'r_unknown',
};

/**
 * Same-instant tie-break (docs/whatsapp-routing.md): webhook times are whole seconds, so a handover and a message
 * often share one. A handover is the reaction to activity (the escalation partner takes after the customer
 * writes; an owner passes after reading), so it outranks the messages of its second, and a take outranks a pass
 * (only the escalation partner takes, overriding whoever held the thread). Between the message copies, ours
 * outranks a standby copy: a thread can come to us with no webhook (another owner's release), never leave us
 * without one, except through our own calls, which carry our clock in milliseconds.
 */
const RANK: Record<FactKind, number> = {
  standby_echo: 0,
  standby_message: 1,
  message: 2,
  control_passed: 3,
  control_taken: 4,
  release: 5,
  pass: 6,
  take: 7,
  unknown: 8,
};

export const threadKey = (phoneNumberId: string, userId: string): Item => ({ phoneNumberId, userId });

const stored = <F extends WhatsappFact>(fact: F): Stored<F> => {
  const { phoneNumberId: _phone, userId: _user, eventId, ...fields } = fact;
  return { v: versionOf(fact.timeMs, RANK[fact.kind], eventId), ...fields };
};

/** A fact's one conditional write; the item names a person, so it expires when idle (docs/personal-data.md). */
export const factWrite = (fact: WhatsappFact): RegisterWrite => ({
  ...registerWrite(fact),
  expiresWhenIdle: true,
});

const registerWrite = (fact: WhatsappFact): RegisterWrite => {
  switch (fact.kind) {
    case 'control_passed':
    case 'control_taken':
      return writeRegister(REGISTERS, fact.kind, stored(fact));
    case 'message':
    case 'standby_message':
    case 'standby_echo':
      return writeRegister(REGISTERS, fact.kind, stored(fact));
    case 'pass':
    case 'take':
    case 'release':
      return writeRegister(REGISTERS, fact.kind, stored(fact));
    case 'unknown':
      return writeRegister(REGISTERS, 'unknown', stored(fact));
  }
};

/** The in-memory twin of the repository's one conditional write. */
export const applyFact = (
  item: Item | undefined,
  fact: WhatsappFact,
): { item: Item; outcome: WriteOutcome } =>
  applyRegisterWrite(item, threadKey(fact.phoneNumberId, fact.userId), factWrite(fact));
