import { type Item, readRegisters } from '../../kernel/registers.js';
import { type FactKind, REGISTERS, type ThreadRegisters } from './facts.js';

/** Meta's idle rule: a thread no customer has written to for 24 hours has no owner. */
export const IDLE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Who owns a thread: `us`, the role Meta named (`escalation`, `ai_agent`, ...), `other` (unnamed), or nobody. */
export type Owner = string | null;
export const US = 'us';
export const OTHER = 'other';
/** The escalation partner: the role a `pass` goes to unless `ai_agent` is asked, and the only one that takes. */
export const ESCALATION = 'escalation';

export interface LastHandover {
  type: 'control_passed' | 'control_taken' | 'pass' | 'take' | 'release';
  previousOwnerRole: string | null;
  newOwnerRole: string | null;
}

/** The read model (CONTRACT, "WhatsApp conversations"). */
export interface WhatsappThread {
  phoneNumberId: string;
  userId: string;
  /** `us`, a role, `other`, or null when idle or unknown (an unanswered call of ours is the newest fact). */
  owner: Owner;
  /** Epoch ms since which the facts kept show this owner (never earlier than the truth; see the docs). */
  ownerSince: number | null;
  lastCustomerMessageAt: number | null;
  /** When the owner's hold lapses by the idle rule (24 h after the customer's last message); null if unowned. */
  expiresAt: number | null;
  metadata: string | null;
  lastHandover: LastHandover | null;
}

type AnyRegister = ThreadRegisters[keyof ThreadRegisters];

const ownerOf = (register: AnyRegister): Owner => {
  switch (register.kind) {
    case 'control_passed':
    case 'message':
    case 'take':
      return US;
    case 'control_taken':
      return register.newOwnerRole ?? OTHER;
    case 'standby_message':
    case 'standby_echo':
      return OTHER;
    case 'pass':
      return register.targetRole ?? ESCALATION;
    case 'release':
    case 'unknown':
      return null;
  }
};

const handoverOf = (register: AnyRegister): LastHandover | undefined => {
  switch (register.kind) {
    case 'control_passed':
    case 'control_taken':
      return {
        type: register.kind,
        previousOwnerRole: register.previousOwnerRole,
        newOwnerRole: register.newOwnerRole,
      };
    case 'pass':
      return { type: 'pass', previousOwnerRole: null, newOwnerRole: register.targetRole ?? ESCALATION };
    case 'take':
      return { type: 'take', previousOwnerRole: null, newOwnerRole: ESCALATION };
    case 'release':
      return { type: 'release', previousOwnerRole: null, newOwnerRole: null };
    default:
      return undefined;
  }
};

const metadataOf = (register: AnyRegister): string | null => {
  switch (register.kind) {
    case 'control_passed':
    case 'control_taken':
    case 'pass':
    case 'take':
    case 'release':
      return register.metadata;
    default:
      return null;
  }
};

/** Every register of the item, newest first. */
const registersOf = (item: Item | undefined): AnyRegister[] =>
  (Object.values(readRegisters<ThreadRegisters>(item, REGISTERS)) as AnyRegister[]).sort((a, b) =>
    a.v < b.v ? 1 : a.v > b.v ? -1 : 0,
  );

/** The kind of the newest fact kept: what last decided the owner (the domain event's `cause`). */
export const newestFactKind = (item: Item | undefined): FactKind | null => registersOf(item)[0]?.kind ?? null;

/**
 * The read model at `now` (epoch ms): a pure fold over the registers. The owner is the newest fact's; it has held
 * the thread since the oldest fact of the unbroken run that names it. The idle clock runs from the customer's
 * last message we know of; a fact more than 24 h after it shows the thread was active again without our seeing
 * the message (a handover needs an active thread), so the clock then runs from that fact.
 */
export const projectWhatsappThread = (item: Item | undefined, now: number): WhatsappThread | undefined => {
  const registers = registersOf(item);
  const [newest] = registers;
  if (item === undefined || newest === undefined) return undefined;
  if (typeof item.phoneNumberId !== 'string' || typeof item.userId !== 'string') return undefined;
  const recorded = ownerOf(newest);
  let since = newest.timeMs;
  for (const register of registers) {
    if (ownerOf(register) !== recorded) break;
    since = register.timeMs;
  }
  const customer = registers.filter((r) => r.kind === 'message' || r.kind === 'standby_message');
  const lastCustomerMessageAt = customer.length === 0 ? null : Math.max(...customer.map((r) => r.timeMs));
  const clockStart =
    lastCustomerMessageAt !== null && newest.timeMs < lastCustomerMessageAt + IDLE_AFTER_MS
      ? lastCustomerMessageAt
      : newest.timeMs;
  const lapsesAt = clockStart + IDLE_AFTER_MS;
  const idle = recorded !== null && now >= lapsesAt;
  const owner = idle ? null : recorded;
  const handover = registers.map(handoverOf).find((found) => found !== undefined);
  const withMetadata = registers.find((register) => typeof metadataOf(register) === 'string');
  return {
    phoneNumberId: item.phoneNumberId,
    userId: item.userId,
    owner,
    ownerSince: idle ? lapsesAt : since,
    lastCustomerMessageAt,
    expiresAt: owner === null ? null : lapsesAt,
    metadata: withMetadata === undefined ? null : metadataOf(withMetadata),
    lastHandover: handover ?? null,
  };
};

/** The AI summary Meta sent with the newest `control_passed` that had one, apart from the read model. */
export const conversationContextOf = (
  item: Item | undefined,
): { summary: string; receivedAt: number } | undefined => {
  const passed = readRegisters<ThreadRegisters>(item, REGISTERS).control_passed;
  const summary = passed?.conversationContext;
  return passed === undefined || summary === undefined ? undefined : { summary, receivedAt: passed.timeMs };
};
